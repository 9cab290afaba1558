"""Start and stop the student worker process: the one place that puts the sandbox together.

The worker runs ``worker.py`` under the same interpreter, in its own session (so a timeout
kills its whole process group), with the limits of ``resources`` (address space, CPU seconds,
file size, open files, no core dumps, memory and disk watchdogs), dies with its parent
(``PR_SET_PDEATHSIG``), and sees only what ``view`` lets it see (namespaces, or without them
the fallbacks). Inside, ``worker.py`` installs a seccomp filter (``seccomp_filter``) before any
student code runs: no new processes, no sockets, no ptrace, no namespaces. As root it runs under
a uid of its own (``lifetime``), and everything of that uid is cleaned up when it ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from .config import Limits
from .lifetime import UidLease, die_with_parent, kill_all_of, lease_uid, remove_ipc_of, running_as_root, undumpable
from .resources import MAX_WORKER_FILES, DiskWatch, MemoryWatch, apply_limits, memory_budget_mb, worker_groups
from .view import (
    JOURNAL,
    UNSHARE_FLAGS,
    WORKER_SCRIPT,
    default_hidden_paths,
    gate_libraries,
    isolation,
    jail_config,
    landlock_version,
    make_reachable,
    protect_without_namespaces,
    protection,
    workers_root,
)

__all__ = ["Limits", "WorkerProcess", "default_hidden_paths", "isolation", "running_as_root"]
_PASSTHROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL")


# ---------------------------------------------------------------- starting the worker


def _preexec(limits: Limits, drop_to: tuple[int, list[int]] | None) -> None:
    """Runs in the child between fork and exec: limits, the privilege drop, then the
    parent-death signal (a uid change clears it)."""
    parent = os.getppid()
    apply_limits(limits)
    if drop_to is not None:
        uid, groups = drop_to
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.nproc, limits.nproc))
        os.setgroups(groups)
        os.setgid(uid)
        os.setuid(uid)
    die_with_parent(parent)


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
        self.limits, self.lease, self.journal, self.process = limits, None, None, None
        self.to_child = self.from_child = -1
        self.lease: UidLease | None
        self.memory_mb = memory_budget_mb(limits)
        self.mode, self.landlock, forbidden = isolation(), landlock_version(), list(forbidden or [])
        protection()
        undumpable()
        hide = sorted(set(hide if hide is not None else default_hidden_paths()))
        self.directory = Path(tempfile.mkdtemp(prefix="convlab-worker-", dir=workers_root()))
        try:
            for name, data in files.items():
                (self.directory / name).write_bytes(data)
            if running_as_root():
                self.lease = lease_uid()
                self._prepare_as_root(hide, forbidden)
            self._spawn(hide, forbidden)
        except BaseException:
            self.kill()  # a full disk (or any failure) here leaves nothing behind
            raise

    def _spawn(self, hide: list[str], forbidden: list[str]) -> None:
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        home = str(Path(tempfile.gettempdir()) / "work") if self.mode == "namespaces" else str(self.directory)
        drop_to = (self.lease.uid, worker_groups(forbidden)) if self.lease and self.mode == "plain" else None
        limits = self.limits
        try:
            self.process = subprocess.Popen(
                self._command(to_child_r, from_child_w, hide, forbidden, home),
                cwd=self.directory,
                env=_worker_env(home),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                pass_fds=(to_child_r, from_child_w),
                start_new_session=True,
                preexec_fn=lambda: _preexec(limits, drop_to),
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        os.set_blocking(self.to_child, False)  # every read and write waits on a deadline (wire)
        os.set_blocking(self.from_child, False)
        self.output = OutputDrain(self.process.stdout, limits.output_kb * 1024)
        self.watches = [MemoryWatch(self.process, self.memory_mb)]
        if self.mode != "namespaces":  # with namespaces the folder is a tmpfs of that size
            self.watches.append(DiskWatch(self.process, self.directory, limits.disk_mb))
        for thread in [self.output, *self.watches]:
            thread.start()

    def _prepare_as_root(self, hide: list[str], forbidden: list[str]) -> None:
        """The worker's uid must reach the interpreter and own its folder; without namespaces,
        the paths to hide and the forbidden libraries are closed to it by their modes."""
        assert self.lease is not None
        fallback = self.mode == "plain" and not self.landlock
        self.journal = JOURNAL.hold(protects=fallback)
        make_reachable([Path(sys.executable).resolve().parent, Path(sys.prefix), WORKER_SCRIPT.parent, self.directory.parent])
        if fallback:
            protect_without_namespaces(hide)
            gate_libraries(forbidden)
        for path in [self.directory, *self.directory.iterdir()]:
            os.chown(path, self.lease.uid, self.lease.uid)

    def _command(self, read_fd: int, write_fd: int, hide: list[str], forbidden: list[str], home: str) -> list[str]:
        # -u: what a submission prints survives the SIGKILL that ends its worker
        cmd = [sys.executable, "-I", "-B", "-u", str(WORKER_SCRIPT), str(read_fd), str(write_fd)]
        if self.landlock:
            cmd += ["--view", json.dumps({"version": self.landlock, "forbidden": forbidden})]
        if self.mode != "namespaces":
            return cmd
        jail = dict(jail_config(hide, forbidden, home), nproc=self.limits.nproc, disk_mb=self.limits.disk_mb, max_files=MAX_WORKER_FILES)
        if self.lease:
            jail.update(drop=True, uid=self.lease.uid, gid=self.lease.uid, groups=worker_groups(forbidden))
        userns = [] if running_as_root() else ["--user", "--map-root-user"]
        return [shutil.which("unshare") or "unshare", *userns, *UNSHARE_FLAGS, "--", *cmd, "--jail", json.dumps(jail)]

    def alive(self) -> bool:
        return self.process.poll() is None

    def exit_description(self) -> str:
        """Why the worker ended, in words a student understands."""
        code = self.process.poll()
        if code is None:
            return "is still running"
        if isinstance(self.watches[0], MemoryWatch) and self.watches[0].exceeded:
            return f"exceeded memory (limit {self.memory_mb} MB)"
        if len(self.watches) > 1 and self.watches[1].exceeded:
            return f"filled its folder past the disk budget ({self.limits.disk_mb} MB or {MAX_WORKER_FILES} files)"
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
        it, remove its directory and IPC objects, release its uid and the journaled modes."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        if self.lease is not None:
            kill_all_of(self.lease.uid)  # also what left the process group (setsid)
        if self.process is not None:
            self._reap()
        for fd in (self.to_child, self.from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.directory, ignore_errors=True)
        if self.lease is not None:
            self.lease.release()
            self.lease = None
        elif self.process is not None:
            remove_ipc_of(creators={self.process.pid})  # without root: its shared memory, by creator
        if self.journal is not None:
            JOURNAL.release(self.journal)
            self.journal = None

    def _reap(self) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self.output.join(timeout=2)
        if self.process.stdout:
            self.process.stdout.close()


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
