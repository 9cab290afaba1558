"""Landlock: the worker's allow-list view of the file system, enforced by the kernel.

Landlock (Linux 5.13+) lets an unprivileged process restrict itself, irrevocably and for every
thread it will ever have, to the file hierarchies it names. ``worker.py`` installs it next to the
seccomp filter, before any student code runs, with ``allow_list``: read-only the interpreter's
standard library, the entries of the worker's own ``site-packages`` except the libraries its
files may not use, the system's shared libraries (every ``site-packages``/``dist-packages`` in
them left out), a few ``/etc``, ``/dev``, ``/proc`` and ``/sys`` files, and read-write only its
own folder. Everything else (the checkout, other clones, unzipped autograder zips, copies of a
forbidden library anywhere on disk, ``/tmp``, other processes' ``/proc`` entries) is out of
reach, for root and ordinary users alike, with no change to any file's mode. From ABI 4 TCP is
refused too, and from ABI 6 signals to processes outside the worker (the grader) are.

The binding is plain ``ctypes`` over the three system calls; this module needs only the
standard library (the worker imports it). Where the kernel (or a container's seccomp profile:
Docker allows these calls from Engine 23) refuses Landlock, ``abi()`` is 0 and the grader falls
back to closing paths by their modes (``view``).
"""

from __future__ import annotations

import ctypes
import os
import re
import site
import sys
import sysconfig

SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446  # the same on x86_64 and arm64
CREATE_RULESET_VERSION, RULE_PATH_BENEATH = 1, 1
PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_V1 = (1 << 13) - 1  # execute ... make_sym
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the rights a rule on a file may hold

# what NumPy, OpenBLAS and PyTorch read at import and run time; nothing here names a secret
SYSTEM_READ = [
    "/lib", "/lib64", "/lib32", "/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/local/lib", "/usr/share/zoneinfo",
    "/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group",
    "/proc/cpuinfo", "/proc/meminfo", "/proc/stat", "/sys/devices/system/cpu", "/sys/devices/system/node", "/sys/fs/cgroup",
]  # fmt: skip
DEVICES = ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"]


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def abi() -> int:
    """The kernel's Landlock ABI version, 0 where Landlock is unavailable (or disabled)."""
    if os.environ.get("CONVLAB_NO_LANDLOCK") or not sys.platform.startswith("linux"):
        return 0
    version = _libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    return max(int(version), 0)


def handled(version: int) -> tuple[int, int, int]:
    """(file system rights, network rights, scopes) this ABI version can restrict."""
    fs = FS_V1 | (REFER if version >= 2 else 0) | (TRUNCATE if version >= 3 else 0) | (IOCTL_DEV if version >= 5 else 0)
    net = NET_BIND_TCP | NET_CONNECT_TCP if version >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if version >= 6 else 0
    return fs, net, scoped


def _site_dirs() -> list[str]:
    """Every site-packages/dist-packages folder of the machine's usual Python places."""
    found = set(site.getsitepackages()) | {site.getusersitepackages()}
    for base in ("/usr/lib", "/usr/local/lib", "/usr/lib64", "/usr/local/lib64", sys.base_prefix + "/lib", sys.prefix + "/lib"):
        if os.path.isdir(base):
            for name in os.listdir(base):
                if name.startswith("python"):
                    found |= {os.path.join(base, name, sub) for sub in ("site-packages", "dist-packages")}
    return sorted(os.path.realpath(p) for p in found if os.path.isdir(p))


def _is_forbidden(entry: str, forbidden: list[str]) -> bool:
    """``scipy``, ``scipy.libs``, ``scipy-1.17.1.dist-info``, ``cv2.abi3.so``: a forbidden library's."""
    return re.split(r"[-.]", entry, maxsplit=1)[0] in forbidden


def _beneath(root: str, excluded: list[str]) -> list[tuple[str, int]]:
    """Read rules for ``root`` minus the ``excluded`` folders under it: the whole tree in one
    rule where nothing is excluded, else its entries one by one (and listing the folder)."""
    real = os.path.realpath(root)
    inside = [e for e in excluded if e == real or e.startswith(real + os.sep)]
    if not inside:
        return [(real, READ_FILE | READ_DIR)]
    if real in inside or not os.path.isdir(real):
        return []
    rules = [(real, READ_DIR)]
    for name in sorted(os.listdir(real)):
        rules += _beneath(os.path.join(real, name), inside)
    return rules


def allow_list(forbidden: list[str]) -> list[tuple[str, int]]:
    """(path, rights) the worker may read: the standard library and system libraries without any
    site folder, then the entries of its own site folders except the forbidden libraries."""
    own = [os.path.realpath(p) for p in site.getsitepackages() if os.path.isdir(p)]
    others = _site_dirs()
    stdlib = {os.path.realpath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib")}
    rules: list[tuple[str, int]] = []
    # the interpreter's own lib folders hold its shared libraries (conda: OpenBLAS, libstdc++)
    prefixes = {os.path.realpath(os.path.join(p, "lib")) for p in (sys.prefix, sys.base_prefix)}
    for root in sorted(stdlib | prefixes) + SYSTEM_READ:
        if os.path.exists(root):
            rules += _beneath(root, others)
    for folder in own:
        rules.append((folder, READ_DIR))
        for entry in sorted(os.listdir(folder)):
            if not _is_forbidden(entry, forbidden):
                rules.append((os.path.join(folder, entry), READ_FILE | READ_DIR))
    return rules


def restrict(rules: list[tuple[str, int]], writable: list[str], version: int) -> None:
    """Restrict this process (and its future threads) to ``rules`` plus ``writable`` (every
    right), the devices in ``DEVICES`` and its own ``/proc/self``. Irrevocable; raises OSError."""
    fs, net, scoped = handled(version)
    attr = _RulesetAttr(fs, net, scoped)
    ruleset = _libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), f"landlock_create_ruleset: {os.strerror(ctypes.get_errno())}")
    try:
        device = READ_FILE | WRITE_FILE | (IOCTL_DEV & fs)
        everything = [(p, rights) for p, rights in rules] + [(p, fs) for p in writable] + [(d, device) for d in DEVICES]
        everything.append(("/proc/self", READ_FILE | READ_DIR))
        for path, rights in everything:
            _add(ruleset, path, rights & fs)
        if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or _libc.syscall(SYS_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_restrict_self: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(ruleset)


def _add(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # not on this machine: nothing to allow
    try:
        if not os.path.isdir(path):
            rights &= FILE_RIGHTS
        rule = _PathBeneath(rights, fd)
        if _libc.syscall(SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH), ctypes.byref(rule), ctypes.c_uint32(0)) != 0:
            raise OSError(ctypes.get_errno(), f"landlock_add_rule {path}: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(fd)
