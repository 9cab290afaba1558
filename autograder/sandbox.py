"""Start and stop the student worker process: a private directory, limits, a scrubbed environment.

The worker runs ``worker.py`` under the same interpreter, in its own session (so a timeout
kills its whole process group), with ``setrlimit`` limits on address space, CPU seconds, file
size, open files and core dumps, and dies with its parent (``PR_SET_PDEATHSIG``).

Where the machine allows it (``isolation()``), the worker starts inside fresh mount, network
and PID namespaces (util-linux ``unshare``): no network interface but a downed loopback, its
own ``/proc``, the grader's files (tests, solutions, results, other workers) covered by empty
tmpfs mounts, and every process it spawns killed with it. As root it then drops to ``nobody``
with a process-count limit; as an ordinary user the namespaces are entered through a user
namespace. Where namespaces are unavailable it falls back, with a printed warning, to the
limits and (as root) the privilege drop alone.
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
NOBODY_UID = NOBODY_GID = 65534
_PASSTHROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL")


@dataclass(frozen=True)
class Limits:
    """Resource limits of one worker; ``call_timeout`` is per call, the rest per process."""

    call_timeout: float = 20.0
    import_timeout: float = 30.0
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
        "resource limits" + (" as nobody" if running_as_root() else " as the grading user") + " only.",
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
    """A private parent for worker directories: ``0711``, so no worker can list its siblings."""
    path = Path(tempfile.mkdtemp(prefix="convlab-workers-"))
    os.chmod(path, 0o711)
    atexit.register(shutil.rmtree, path, True)
    return path


_protected: set[str] = set()


def protect_without_namespaces(hide: list[str]) -> None:
    """Without namespaces, as root: make the paths to hide unreadable for 'others' (``o-rwx``).

    Skips directories that contain the interpreter or the workers (they must stay reachable).
    """
    keep = [Path(sys.executable).resolve(), Path(sys.prefix).resolve(), workers_root().resolve(), WORKER_SCRIPT.resolve()]
    for raw in hide:
        path = Path(raw)
        if raw in _protected or not path.is_dir() or any(k == path.resolve() or path.resolve() in k.parents for k in keep):
            continue
        os.chmod(path, path.stat().st_mode & ~0o007)
        _protected.add(raw)


def _preexec(limits: Limits, drop: bool) -> None:
    """Runs in the child between fork and exec: limits first, then the privilege drop."""
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: die with the grader
    mb = 1 << 20
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb, limits.memory_mb * mb))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_mb * mb, limits.file_size_mb * mb))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if drop:
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.nproc, limits.nproc))
        os.setgroups([])
        os.setgid(NOBODY_GID)
        os.setuid(NOBODY_UID)


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
    """One running worker: its process, its request/response pipes and its output."""

    def __init__(self, files: dict[str, bytes], limits: Limits, hide: list[str] | None = None) -> None:
        self.limits = limits
        self.directory = Path(tempfile.mkdtemp(prefix="convlab-worker-", dir=workers_root()))
        for name, data in files.items():
            (self.directory / name).write_bytes(data)
        root = running_as_root()
        mode = isolation()
        hide = sorted(set(hide if hide is not None else default_hidden_paths()))
        if root:
            _make_reachable([Path(sys.executable).resolve().parent, Path(sys.prefix), WORKER_SCRIPT.parent, self.directory.parent])
            if mode == "plain":
                protect_without_namespaces(hide)
            for path in [self.directory, *self.directory.iterdir()]:
                os.chown(path, NOBODY_UID, NOBODY_GID)
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        env = {k: os.environ[k] for k in _PASSTHROUGH_ENV if k in os.environ}
        home = str(Path(tempfile.gettempdir()) / "work")
        env.update(
            PATH="/usr/local/bin:/usr/bin:/bin",
            HOME=home if mode == "namespaces" else str(self.directory),
            TMPDIR=home if mode == "namespaces" else str(self.directory),
            PYTHONDONTWRITEBYTECODE="1",
            PYTHONHASHSEED="0",
            OPENBLAS_NUM_THREADS="1",
            OMP_NUM_THREADS="1",
            MKL_NUM_THREADS="1",
        )
        cmd = [sys.executable, "-I", "-B", str(WORKER_SCRIPT), str(to_child_r), str(from_child_w)]
        if mode == "namespaces":
            jail = {
                "hide": hide,
                "restore": covered(needed_paths(), hide),
                "home": home,
                "drop": root,
                "uid": NOBODY_UID,
                "gid": NOBODY_GID,
                "nproc": limits.nproc,
            }
            userns = [] if root else ["--user", "--map-root-user"]
            cmd = [shutil.which("unshare") or "unshare", *userns, *UNSHARE_FLAGS, "--", *cmd, "--jail", json.dumps(jail)]
        self.process = subprocess.Popen(
            cmd,
            cwd=self.directory,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(to_child_r, from_child_w),
            start_new_session=True,
            preexec_fn=lambda: _preexec(limits, drop=root and mode == "plain"),
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.output = OutputDrain(self.process.stdout, limits.output_kb * 1024)
        self.output.start()

    def alive(self) -> bool:
        return self.process.poll() is None

    def exit_description(self) -> str:
        """Why the worker ended, in words a student understands."""
        code = self.process.poll()
        if code is None:
            return "is still running"
        if code > 128 and code - 128 in signal.Signals._value2member_map_:  # via unshare
            code = 128 - code
        if code < 0:
            sig = signal.Signals(-code)
            if sig == signal.SIGXCPU:
                return f"exceeded the CPU time limit ({self.limits.cpu_seconds} s)"
            if sig == signal.SIGKILL:
                return "was killed (out of memory, or it exceeded a limit)"
            return f"crashed with signal {sig.name}"
        return f"exited with status {code} (sys.exit / os._exit in student code?)"

    def kill(self) -> None:
        """Kill the worker's whole process group, reap it and remove its directory."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for fd in (self.to_child, self.from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self.output.join(timeout=2)
        if self.process.stdout:
            self.process.stdout.close()
        shutil.rmtree(self.directory, ignore_errors=True)
