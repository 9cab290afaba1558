"""Start and stop the student worker process: a private directory, limits, a scrubbed environment.

The worker runs ``worker.py`` under the same interpreter, in its own session (so a timeout
kills its whole process group), with ``setrlimit`` limits on address space, CPU seconds, file
size, open files and core dumps, dies with its parent (``PR_SET_PDEATHSIG``), is the first
process the kernel's OOM killer picks (``oom_score_adj`` 1000), and is killed by a watchdog
when its resident memory passes its budget (derived from the container's memory limit).
Inside, ``worker.py`` installs a seccomp filter (``seccomp_filter``) before any student code
runs: no new processes, no sockets, no ptrace, no namespaces.

Where the machine allows it (``isolation()``), the worker starts inside fresh mount, network
and PID namespaces (util-linux ``unshare``): no network interface but a downed loopback, its
own ``/proc``, the grader's files (tests, solutions, results, other workers) and the libraries
its files may not use covered by empty tmpfs mounts. As an ordinary user the namespaces are
entered through a user namespace. Where namespaces are unavailable it falls back, with a
printed warning, to the limits, the seccomp filter and (as root) the privilege drop.

As root, in both modes, each concurrent worker runs under its own unprivileged uid from a small
pool (``lease_uid``), so workers cannot see, signal or write each other's processes and files;
when a worker ends, every process of its uid is killed and its files in world-writable places
are removed before the uid is used again. Libraries a worker may not use are also made
unreadable to it (``gate_libraries``: group-only folders, the worker lacking the group).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import functools
import importlib.util
import json
import os
import random
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
WORKER_UID_BASE, WORKER_UID_COUNT = 61000, 64  # one uid per concurrent worker (as root)
GATE_GID_BASE = 62000  # + a stable number per library: the group that may read that library
# libraries a worker may be refused (forbidden_imports); a worker gets the groups of the rest
GATEABLE = ("torch", "scipy", "tensorflow", "jax", "cupy", "captum", "cv2", "skimage", "sklearn", "torchvision", "torchaudio", "keras", "numba")
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
_PASSTHROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL")


@dataclass(frozen=True)
class Limits:
    """Resource limits of one worker; ``call_timeout`` is per call, the rest per process."""

    call_timeout: float = 20.0
    import_timeout: float = 30.0
    time_budget: float = 420.0  # seconds for a whole submission: fits Gradescope's 10 min
    memory_mb: int = 1536
    cpu_seconds: int = 600
    nproc: int = 256
    file_size_mb: int = 16
    open_files: int = 64
    output_kb: int = 64


def running_as_root() -> bool:
    return os.geteuid() == 0


UNSHARE_FLAGS = ["--mount", "--net", "--pid", "--fork", "--kill-child", "--mount-proc"]


@functools.cache
def isolation() -> str:
    """``"namespaces"`` if ``unshare`` works here (as root, or via a user namespace), else ``"plain"``."""
    unshare = shutil.which("unshare")
    if unshare is None or os.environ.get("CONVLAB_NO_NAMESPACES"):
        reason = "disabled by CONVLAB_NO_NAMESPACES" if unshare else "unshare is not installed"
    else:
        cmd = [unshare, *([] if running_as_root() else ["--user", "--map-root-user"]), *UNSHARE_FLAGS, "true"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
            if done.returncode == 0:
                return "namespaces"
            reason = done.stderr.strip() or f"exit status {done.returncode}"
        except (OSError, subprocess.TimeoutExpired) as exc:
            reason = str(exc)
    print(
        f"ConvLab warning: no namespace isolation for student code ({reason}); workers run with "
        "resource limits and a system-call filter" + (", each under its own unprivileged uid" if running_as_root() else ", as the grading user") + ".",
        file=sys.stderr,
    )
    return "plain"


def needed_paths() -> list[Path]:
    """What the worker itself must reach: the interpreter, the standard library, NumPy, the engine."""
    import numpy

    paths = [sys.prefix, sys.base_prefix, Path(sys.executable).resolve().parent, WORKER_SCRIPT.parent, Path(numpy.__file__).parent.parent]
    return [Path(p).resolve() for p in paths]


def covered(paths: list[Path], hide: list[str]) -> list[str]:
    """The needed paths that a hidden path covers: the jail mounts them back after hiding."""
    hidden = [Path(h).resolve() for h in hide]
    return [str(p) for p in paths if any(h == p or h in p.parents for h in hidden)]


def default_hidden_paths() -> list[str]:
    """What a worker must not see: the project's secrets and outputs, and every temp directory."""
    from .config import ROOT

    paths = [ROOT / name for name in ("assignments", "solutions", "dist", "tests", ".git")]
    # world-writable places too: inside the namespace nothing a worker writes outlives it
    paths += [Path(tempfile.gettempdir()), Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path("/autograder")]
    return [str(p) for p in paths]


def _make_reachable(paths: list[Path]) -> None:
    """As root, give 'others' traverse (x) permission on the ancestors of the interpreter.

    pyenv and conda install Python under /root, which is 0700: without this the unprivileged
    worker could not even start Python. Only the search bit is added, never read.
    """
    for path in paths:
        for parent in [path, *path.parents]:
            try:
                mode = parent.stat().st_mode
            except OSError:
                continue
            if parent.is_dir() and not mode & 0o001:
                os.chmod(parent, mode | 0o001)


@functools.cache
def workers_root() -> Path:
    """The parent of worker directories, shared by every grader process using this temp folder
    (so protecting one grader's secrets never cuts another's workers off): ``0711``, so no
    worker can list its siblings; each worker removes its own directory."""
    path = Path(tempfile.gettempdir()) / "convlab-workers"
    path.mkdir(mode=0o711, exist_ok=True)
    if path.is_symlink() or path.stat().st_uid != os.geteuid():
        raise OSError(f"{path} is not ours: refusing to place workers there")
    os.chmod(path, 0o711)
    return path


def protect_without_namespaces(hide: list[str]) -> None:
    """Without namespaces, as root: make the paths to hide unreadable for 'others'.

    A hidden folder that leads to something the worker needs (the interpreter, the engine, the
    workers' parent: e.g. the temp folder holding an ``otter run``) keeps only its traverse bit
    (``o=x``: no listing), and everything in it off that path loses all 'other' permissions.
    Shared world-writable folders (``/tmp``) are left alone: nothing secret of ours lives there
    (the grader's temp files are in its own TMPDIR or root-only), and other users need them.
    """
    # folders the worker reads whole (Python lists a folder to import from it)
    needed = [Path(sys.executable).resolve().parent, Path(sys.prefix).resolve(), workers_root().resolve(), WORKER_SCRIPT.resolve().parent]
    for raw in hide:
        path = Path(raw)
        if path.is_dir() and not path.is_symlink() and not path.stat().st_mode & 0o002:
            _protect(path.resolve(), needed)


def _protect(path: Path, needed: list[Path]) -> None:
    inside = [n for n in needed if n == path or path in n.parents]
    mode = path.lstat().st_mode
    if not inside:
        if mode & 0o007:
            os.chmod(path, mode & ~0o007)
    elif path not in needed and path.is_dir():
        if mode & 0o006 or not mode & 0o001:
            os.chmod(path, (mode & ~0o007) | 0o001)
        for child in path.iterdir():
            if not child.is_symlink():
                _protect(child, needed)


# ---------------------------------------------------------------- libraries a worker may not use


def gate_gid(library: str) -> int:
    """The group allowed to read ``library``'s folder once it is gated (stable across processes)."""
    return GATE_GID_BASE + zlib.crc32(library.encode()) % 1000


def library_dirs(library: str) -> list[str]:
    """The installed folder(s) of a top-level package (nothing if it is not installed)."""
    try:
        spec = importlib.util.find_spec(library)
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    return [str(Path(p).resolve()) for p in spec.submodule_search_locations if Path(p).is_dir()]


def gate_libraries(libraries: list[str]) -> None:
    """As root: make each library's folder ``root:<its group>`` and ``0750``.

    A worker reads a gated library only if it holds the library's group (``worker_groups``), so
    a NumPy-only worker cannot load torch even by path. Idempotent; the grader (root) is unaffected.
    """
    for library in libraries:
        for folder in library_dirs(library):
            info = os.stat(folder)
            if info.st_gid != gate_gid(library) or info.st_mode & 0o007:
                os.chown(folder, 0, gate_gid(library))
                os.chmod(folder, (info.st_mode & ~0o007) | 0o050)


def worker_groups(forbidden: list[str]) -> list[int]:
    """The supplementary groups of a worker: one per gateable library it may use."""
    return sorted({gate_gid(name) for name in GATEABLE if name not in forbidden})


# ---------------------------------------------------------------- one uid per worker


@dataclass
class UidLease:
    """A uid from the pool, held (by a lock file) while one worker lives."""

    uid: int
    fd: int

    def release(self) -> None:
        """Kill every process of the uid, remove its files in world-writable places, free it."""
        kill_all_of(self.uid)
        remove_files_of(self.uid)
        os.close(self.fd)


@functools.cache
def _lease_dir() -> Path:
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
        fd = os.open(_lease_dir() / f"uid-{slot}.lock", os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        kill_all_of(WORKER_UID_BASE + slot)  # left over by a grader that crashed
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


# ---------------------------------------------------------------- memory


def memory_cgroup_dirs() -> list[tuple[Path, str, str]]:
    """This process's memory cgroup folders, in ``/proc/self/cgroup`` order, each with its limit
    and usage file names: cgroup v2's unified folder, v1's memory controller."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "" and Path(f"/sys/fs/cgroup{path}/cgroup.subtree_control").is_file():  # a real v2 cgroup
            found.append((Path(f"/sys/fs/cgroup{path}"), "memory.max", "memory.current"))
        elif "memory" in controllers.split(","):
            found.append((Path(f"/sys/fs/cgroup/memory{path}"), "memory.limit_in_bytes", "memory.usage_in_bytes"))
    return found


def container_memory() -> tuple[int, int] | None:
    """(limit, usage) in bytes of the container this grader runs in, or None without a limit."""
    folder, limit_name, usage_name = next(((f, lim, use) for f, lim, use in memory_cgroup_dirs() if (f / lim).is_file()), (None, "", ""))
    if folder is None:
        return None
    try:
        raw = (folder / limit_name).read_text().strip()
        limit = int(raw) if raw != "max" else 0
        usage = int((folder / usage_name).read_text().strip()) if (folder / usage_name).is_file() else 0
    except (OSError, ValueError):
        return None
    return (limit, usage) if 0 < limit < 1 << 60 else None


def memory_budget_mb(limits: Limits, container: tuple[int, int] | None = None) -> int:
    """The worker's resident-memory budget: the assignment's ``memory_mb``, or less when the
    container's limit minus what is already used (the grader itself) leaves less, with 48 MB kept
    for the grader to write its results."""
    container = container if container is not None else container_memory()
    if container is None:
        return limits.memory_mb
    limit, usage = container
    free_mb = (limit - usage) // (1 << 20) - 48
    return max(64, min(limits.memory_mb, free_mb))


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


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    total, page = 0, os.sysconf("SC_PAGE_SIZE")
    for current in descendants(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * page
    return total


class MemoryWatch(threading.Thread):
    """Kills the worker's process group once its tree's resident memory passes ``budget_mb``."""

    def __init__(self, process: subprocess.Popen, budget_mb: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.process, self.budget, self.interval = process, budget_mb << 20, interval
        self.exceeded = False

    def run(self) -> None:
        while self.process.poll() is None:
            if tree_rss(self.process.pid) > self.budget:
                self.exceeded = True
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                return
            time.sleep(self.interval)


# ---------------------------------------------------------------- starting the worker


def _preexec(limits: Limits, drop_to: tuple[int, list[int]] | None) -> None:
    """Runs in the child between fork and exec: limits first, then the privilege drop."""
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: die with the grader
    with contextlib.suppress(OSError):
        Path("/proc/self/oom_score_adj").write_text("1000")  # out of memory: the worker dies first
    mb = 1 << 20
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb, limits.memory_mb * mb))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_mb * mb, limits.file_size_mb * mb))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if drop_to is not None:
        uid, groups = drop_to
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.nproc, limits.nproc))
        os.setgroups(groups)
        os.setgid(uid)
        os.setuid(uid)


class OutputDrain(threading.Thread):
    """Reads the worker's stdout+stderr, keeping the first ``limit`` bytes and counting the rest."""

    def __init__(self, stream, limit: int) -> None:  # noqa: ANN001
        super().__init__(daemon=True)
        self.stream, self.limit = stream, limit
        self.kept = bytearray()
        self.dropped = 0

    def run(self) -> None:
        while chunk := self.stream.read1(1 << 16):
            room = self.limit - len(self.kept)
            self.kept += chunk[: max(room, 0)]
            self.dropped += max(len(chunk) - max(room, 0), 0)

    def text(self) -> str:
        text = self.kept.decode("utf-8", "replace")
        if self.dropped:
            text += f"\n... [{self.dropped} more bytes of output dropped]\n"
        return text


class WorkerProcess:
    """One running worker: its process, its request/response pipes and its output.

    ``forbidden``: the libraries its files may not use (hidden from it, where the mode allows).
    """

    def __init__(self, files: dict[str, bytes], limits: Limits, hide: list[str] | None = None, forbidden: list[str] | None = None) -> None:
        self.limits, self.lease, self.watch = limits, None, None
        self.memory_mb = memory_budget_mb(limits)
        self.directory = Path(tempfile.mkdtemp(prefix="convlab-worker-", dir=workers_root()))
        for name, data in files.items():
            (self.directory / name).write_bytes(data)
        root, mode, forbidden = running_as_root(), isolation(), list(forbidden or [])
        hide = sorted(set(hide if hide is not None else default_hidden_paths()))
        if root:
            self.lease = lease_uid()
            _make_reachable([Path(sys.executable).resolve().parent, Path(sys.prefix), WORKER_SCRIPT.parent, self.directory.parent])
            if mode == "plain":
                protect_without_namespaces(hide)
                gate_libraries(forbidden)
            for path in [self.directory, *self.directory.iterdir()]:
                os.chown(path, self.lease.uid, self.lease.uid)
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        home = str(Path(tempfile.gettempdir()) / "work") if mode == "namespaces" else str(self.directory)
        cmd = [sys.executable, "-I", "-B", str(WORKER_SCRIPT), str(to_child_r), str(from_child_w)]
        if mode == "namespaces":
            hide_all = sorted(set(hide) | {d for lib in forbidden for d in library_dirs(lib)})
            jail = {"hide": hide_all, "restore": covered(needed_paths(), hide_all), "home": home, "nproc": limits.nproc}
            if self.lease:
                jail.update(drop=True, uid=self.lease.uid, gid=self.lease.uid, groups=worker_groups(forbidden))
            userns = [] if root else ["--user", "--map-root-user"]
            cmd = [shutil.which("unshare") or "unshare", *userns, *UNSHARE_FLAGS, "--", *cmd, "--jail", json.dumps(jail)]
        drop_to = (self.lease.uid, worker_groups(forbidden)) if self.lease and mode == "plain" else None
        self.process = subprocess.Popen(
            cmd,
            cwd=self.directory,
            env=_worker_env(home),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(to_child_r, from_child_w),
            start_new_session=True,
            preexec_fn=lambda: _preexec(limits, drop_to),
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.output = OutputDrain(self.process.stdout, limits.output_kb * 1024)
        self.output.start()
        self.watch = MemoryWatch(self.process, self.memory_mb)
        self.watch.start()

    def alive(self) -> bool:
        return self.process.poll() is None

    def exit_description(self) -> str:
        """Why the worker ended, in words a student understands."""
        code = self.process.poll()
        if code is None:
            return "is still running"
        if self.watch is not None and self.watch.exceeded:
            return f"exceeded memory (limit {self.memory_mb} MB)"
        if code > 128 and code - 128 in signal.Signals._value2member_map_:  # via unshare
            code = 128 - code
        if code < 0:
            sig = signal.Signals(-code)
            if sig == signal.SIGXCPU:
                return f"exceeded the CPU time limit ({self.limits.cpu_seconds} s)"
            if sig == signal.SIGKILL:
                return f"was killed by SIGKILL (it ran out of memory, limit {self.memory_mb} MB, or killed itself)"
            return f"crashed with signal {sig.name}"
        return f"exited with status {code} (sys.exit / os._exit in student code?)"

    def kill(self) -> None:
        """Kill the worker's whole process group (and, as root, every process of its uid), reap
        it, release its uid and remove its directory."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.lease is not None:
            kill_all_of(self.lease.uid)  # also what left the process group (setsid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        for fd in (self.to_child, self.from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.output.join(timeout=2)
        if self.process.stdout:
            self.process.stdout.close()
        shutil.rmtree(self.directory, ignore_errors=True)
        if self.lease is not None:
            self.lease.release()
            self.lease = None


def _worker_env(home: str) -> dict[str, str]:
    """A scrubbed environment: nothing of the grader's, one thread per numerical library."""
    env = {k: os.environ[k] for k in _PASSTHROUGH_ENV if k in os.environ}
    env.update(
        PATH="/usr/local/bin:/usr/bin:/bin",
        HOME=home,
        TMPDIR=home,
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONHASHSEED="0",
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    if os.environ.get("CONVLAB_NO_SECCOMP"):
        env["CONVLAB_NO_SECCOMP"] = "1"
    return env
