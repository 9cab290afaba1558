"""A worker's lifetime: the uid it runs under, and the cleanup that leaves nothing behind.

As root, each concurrent worker runs under its own unprivileged uid from a small pool
(``lease_uid``), so workers cannot see, signal or write each other's processes and files. When a
worker ends, every process of its uid is killed, its files in world-writable places and its
System V IPC objects are removed, and only then is the uid used again.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import random
import shutil
import signal
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

WORKER_UID_BASE, WORKER_UID_COUNT = 61000, 64  # one uid per concurrent worker (as root)
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")


def running_as_root() -> bool:
    return os.geteuid() == 0


@dataclass
class UidLease:
    """A uid from the pool, held (by a lock file) while one worker lives."""

    uid: int
    fd: int

    def release(self) -> None:
        """Kill every process of the uid, remove its files and IPC objects, free it."""
        kill_all_of(self.uid)
        remove_files_of(self.uid)
        remove_ipc_of(uid=self.uid)
        os.close(self.fd)


@functools.cache
def lease_dir() -> Path:
    for candidate in (Path("/run/convlab-workers"), Path(tempfile.gettempdir()) / "convlab-workers-uids"):
        with contextlib.suppress(OSError):
            candidate.mkdir(mode=0o700, exist_ok=True)
            return candidate
    raise OSError("no folder for the worker uid locks")


def lease_uid() -> UidLease:
    """A uid no other live worker on this machine holds (graders in other processes included)."""
    first = random.randrange(WORKER_UID_COUNT)
    for i in range(WORKER_UID_COUNT):
        slot = (first + i) % WORKER_UID_COUNT
        fd = os.open(lease_dir() / f"uid-{slot}.lock", os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        kill_all_of(WORKER_UID_BASE + slot)  # left over by a grader that crashed
        remove_ipc_of(uid=WORKER_UID_BASE + slot)
        return UidLease(WORKER_UID_BASE + slot, fd)
    raise OSError(f"all {WORKER_UID_COUNT} worker uids are in use")


def kill_all_of(uid: int) -> None:
    """SIGKILL every process running as ``uid``: a child takes the uid and calls kill(-1)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child only calls async-signal-safe functions
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def remove_files_of(uid: int, roots: tuple[str, ...] = WORLD_WRITABLE) -> None:
    """Delete what ``uid`` left in world-writable folders (never following symlinks)."""

    def walk(folder: str) -> None:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                if info.st_uid == uid:
                    if stat.S_ISDIR(info.st_mode):
                        shutil.rmtree(entry.path, ignore_errors=True)
                    else:
                        with contextlib.suppress(OSError):
                            os.unlink(entry.path)
                elif stat.S_ISDIR(info.st_mode) and info.st_mode & 0o002:
                    walk(entry.path)  # another world-writable folder (e.g. /tmp/.X11-unix)

    for root in roots:
        walk(root)


# ---------------------------------------------------------------- System V IPC

IPC_RMID = 0
_IPC_TABLES = {"shm": "shmctl", "sem": "semctl", "msg": "msgctl"}


def ipc_objects(uid: int | None = None, creators: set[int] | None = None) -> list[tuple[str, int]]:
    """System V IPC objects (kind, id) owned by ``uid``, or shared memory created by one of the
    ``creators`` pids (without root, a worker's objects share the grader's uid)."""
    found = []
    for kind in _IPC_TABLES:
        with contextlib.suppress(OSError):
            lines = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
            names = lines[0].split()
            for line in lines[1:]:
                row = dict(zip(names, line.split(), strict=False))
                by_uid = uid is not None and int(row.get("uid", -1)) == uid
                by_pid = creators is not None and kind == "shm" and int(row.get("cpid", -1)) in creators
                if by_uid or by_pid:
                    found.append((kind, int(row[{"shm": "shmid", "sem": "semid", "msg": "msqid"}[kind]])))
    return found


def remove_ipc_of(uid: int | None = None, creators: set[int] | None = None) -> None:
    """Remove the System V IPC objects ``ipc_objects`` finds (the filter refuses creating them:
    this is the second line, and the sweep after a crashed grader)."""
    objects = ipc_objects(uid, creators)
    if not objects:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for kind, ident in objects:
        if kind == "sem":
            libc.semctl(ident, 0, IPC_RMID)
        else:
            getattr(libc, _IPC_TABLES[kind])(ident, IPC_RMID, None)


# ---------------------------------------------------------------- process trees

PR_SET_PDEATHSIG, PR_SET_DUMPABLE = 1, 4


def die_with_parent(parent: int) -> None:
    """``PR_SET_PDEATHSIG`` (SIGKILL): call it after any uid change (the kernel clears it then);
    if the parent is already gone, exit now."""
    import ctypes

    ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def undumpable() -> None:
    """``PR_SET_DUMPABLE`` 0 for the grader: its ``/proc/<pid>`` (memory, environment) becomes
    root's, and a worker of the same user cannot attach to it or read it."""
    import ctypes

    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (through each thread's ``children``)."""
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        with contextlib.suppress(OSError, ValueError):
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
    return found
