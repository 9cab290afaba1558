"""What a worker may see of the machine.

Two mechanisms, used together where the machine has both:

- **Landlock** (``landlock``, any user, Linux 5.13+): the worker installs an allow-list view of the
  file system on itself before any student code runs (``landlock_version()`` > 0).
- **Namespaces** (``isolation()``): the worker starts inside fresh mount, network, PID and IPC
  namespaces (util-linux ``unshare``): no network interface but a downed loopback, its own
  ``/proc``, the grader's files (tests, solutions, results, other workers) and every copy of the
  libraries its files may not use covered by empty tmpfs mounts. As an ordinary user the
  namespaces are entered through a user namespace.

Without either (an old kernel in a container), as root, the fallback closes the paths to hide
to 'others' by their modes (``protect_without_namespaces``) and gates forbidden libraries by
group (``gate_libraries``). Every mode change goes through ``ModeJournal``: recorded first,
undone when the last worker that needed it ends, and at the next start after a crash.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import functools
import itertools
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from . import landlock
from .config import ROOT
from .lifetime import lease_dir, running_as_root
from .resources import gate_gid, library_dirs

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
UNSHARE_FLAGS = ["--mount", "--net", "--pid", "--ipc", "--fork", "--kill-child", "--mount-proc"]


@functools.cache
def landlock_version() -> int:
    """The Landlock ABI workers get (0: none; ``CONVLAB_NO_LANDLOCK=1`` forces the fallback)."""
    return landlock.abi()


@functools.cache
def protection() -> str:
    """Which protection of the file system is in force, in words (printed once per grader)."""
    mode, version = isolation(), landlock_version()
    if version:
        text = f"Landlock ABI {version} allow-list" + (" inside namespaces" if mode == "namespaces" else " (no namespaces)")
    elif mode == "namespaces":
        text = "namespaces (tmpfs over hidden paths); no Landlock"
    elif running_as_root():
        text = "no namespaces and no Landlock: hidden paths closed by their modes (journaled, restored when grading ends)"
    else:
        text = "NO file-system protection (ordinary user, no namespaces, no Landlock): workers can read what this user can"
    if mode != "namespaces" or not version:
        print(f"ConvLab: worker file-system protection: {text}", file=sys.stderr)
    return text


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
    # .tmp holds the table cache whatever TMPDIR is (tables.CACHE_DIR)
    paths = [ROOT / name for name in ("assignments", "solutions", "dist", "tests", ".git", ".tmp")]
    # world-writable places too: inside the namespace nothing a worker writes outlives it
    paths += [Path(tempfile.gettempdir()), Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path("/autograder")]
    return [str(p) for p in paths]


def library_copies(library: str) -> list[str]:
    """Every installed copy of a top-level package a worker could reach: the one this interpreter
    finds, and the one in each site-packages/dist-packages folder of the machine."""
    copies = set(library_dirs(library))
    for folder in landlock._site_dirs():
        path = Path(folder) / library
        if path.is_dir() and not path.is_symlink():
            copies.add(str(path.resolve()))
    return sorted(copies)


def jail_config(hide: list[str], forbidden: list[str], home: str) -> dict:
    """What ``worker.enter_jail`` mounts: tmpfs over ``hide`` and the forbidden libraries, the
    needed paths they cover mounted back, the worker's folder at ``home``."""
    hide_all = sorted(set(hide) | {d for lib in forbidden for d in library_copies(lib)})
    return {"hide": hide_all, "restore": covered(needed_paths(), hide_all), "home": home}


def make_reachable(paths: list[Path]) -> None:
    """As root, give 'others' traverse (x) permission on the ancestors of the interpreter.

    pyenv and conda install Python under /root, which is 0700: without this the unprivileged
    worker could not even start Python. Only the search bit is added, never read (journaled).
    """
    for path in paths:
        for parent in [path, *path.parents]:
            try:
                mode = parent.stat().st_mode
            except OSError:
                continue
            if parent.is_dir() and not mode & 0o001:
                JOURNAL.chmod(parent, mode | 0o001, kind="reach")


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


# ---------------------------------------------------------------- without namespaces, as root


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
        if path.exists() and not path.is_symlink() and not path.stat().st_mode & 0o002:
            _protect(path.resolve(), needed)  # a folder, or a file (a worktree's .git)


def _protect(path: Path, needed: list[Path]) -> None:
    try:
        _protect_one(path, needed)
    except FileNotFoundError:  # removed while we walk (another grader's temp folder): nothing left to hide
        pass


def _protect_one(path: Path, needed: list[Path]) -> None:
    inside = [n for n in needed if n == path or path in n.parents]
    mode = path.lstat().st_mode
    if not inside:
        if mode & 0o007:
            JOURNAL.chmod(path, mode & ~0o007)
    elif path not in needed and path.is_dir():
        if mode & 0o006 or not mode & 0o001:
            JOURNAL.chmod(path, (mode & ~0o007) | 0o001)
        for child in path.iterdir():
            if not child.is_symlink():
                _protect(child, needed)


def gate_libraries(libraries: list[str]) -> None:
    """As root: make each library's folder ``root:<its group>`` and ``0750``.

    A worker reads a gated library only if it holds the library's group (``worker_groups``), so
    a NumPy-only worker cannot load torch even by path. Idempotent; the grader (root) is unaffected.
    """
    for library in libraries:
        for folder in library_copies(library):
            info = os.stat(folder)
            if info.st_gid != gate_gid(library) or info.st_mode & 0o007:
                JOURNAL.chmod(Path(folder), (info.st_mode & ~0o007) | 0o050, gid=gate_gid(library))


class ModeJournal:
    """Every mode (and group) change the sandbox makes, recorded before it is made and undone
    when no worker needs it any more: ``hold()`` when a worker starts, ``release()`` when it
    ends. The journal (``modes.json`` in the root-only lock folder) names the grader processes
    holding it; a holder that died (SIGKILL, a crash) is dropped by the next one.

    Two kinds of change: ``reach`` (a traverse bit every root worker needs to start Python) is
    undone once no live holder is left; ``protect`` (secrets and forbidden libraries closed by
    their modes, for workers without Landlock or namespaces) once no live holder that protects
    is left, so a fallback grader's changes are undone when it ends even while other graders run.
    Undone also at exit, after SIGTERM, and at the next start after a crash."""

    def __init__(self, folder: Path | None = None) -> None:
        self._tokens: list[str] = []
        self._folder = folder  # default: the machine's root-only lock folder (``lease_dir``)

    @contextlib.contextmanager
    def _locked(self):
        folder = self._folder or lease_dir()
        with open(folder / "modes.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            path = folder / "modes.json"
            try:
                state = json.loads(path.read_text()) if path.is_file() else {}
            except ValueError:
                state = {}
            for key in ("holders", "protectors"):
                state.setdefault(key, [])
            state.setdefault("entries", {})
            yield state
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(state))
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)

    def hold(self, protects: bool = False) -> str:
        """Register this grader as relying on the changes (``protects``: on the ``protect`` kind
        too), undoing first what no live holder needs any more (a dead grader's)."""
        _exit_on_sigterm()
        token = f"{os.getpid()}:{_start_time(os.getpid())}:{next(_HOLDS)}"
        with self._locked() as state:
            _settle(state)
            state["holders"].append(token)
            if protects:
                state["protectors"].append(token)
        self._tokens.append(token)
        return token

    def chmod(self, path: Path, mode: int, gid: int | None = None, kind: str = "protect") -> None:
        """Change ``path``'s mode (and group), recording what it was first; a path both kinds
        changed is undone as ``reach`` (only once no holder at all is left)."""
        info = os.lstat(path)
        with self._locked() as state:
            entry = state["entries"].setdefault(str(path), [stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid, kind])
            entry[3:] = ["reach" if "reach" in (entry[3:] + [kind]) else "protect"]
        if gid is not None:
            os.lchown(path, 0, gid)
        os.chmod(path, mode, follow_symlinks=False)

    def release(self, token: str) -> None:
        """This worker no longer needs the changes; what no live holder needs is undone."""
        with contextlib.suppress(ValueError):
            self._tokens.remove(token)
        with self._locked() as state:
            for key in ("holders", "protectors"):
                state[key] = [t for t in state[key] if t != token]
            _settle(state)

    def protecting(self) -> int:
        """How many live graders hold the ``protect`` changes now (any process on the machine)."""
        with self._locked() as state:
            return sum(1 for t in state["protectors"] if _alive(t))

    def release_all(self) -> None:
        for token in list(self._tokens):
            with contextlib.suppress(OSError):
                self.release(token)


_HOLDS = itertools.count()


def _settle(state: dict) -> None:
    """Drop dead holders, then undo the changes no live holder needs."""
    for key in ("holders", "protectors"):
        state[key] = [t for t in state[key] if _alive(t)]
    done = {
        path: entry
        for path, entry in state["entries"].items()
        if not state["holders"] or (not state["protectors"] and list(entry[3:]) != ["reach"])
    }
    _restore(done)
    for path in done:
        del state["entries"][path]


def _exit_on_sigterm() -> None:
    """SIGTERM unwinds the grader (``SystemExit``: workers end, the journal is released, atexit
    runs) instead of killing it on the spot, unless someone else handles SIGTERM already."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminate)


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _start_time(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "?"


def _alive(token: str) -> bool:
    pid, started = token.split(":")[:2]
    return _start_time(int(pid)) == started


def _restore(entries: dict[str, list]) -> None:
    for path, entry in entries.items():
        with contextlib.suppress(OSError, TypeError, ValueError):  # a malformed entry: skipped, never a crash
            mode, uid, gid = (int(v) for v in entry[:3])
            os.lchown(path, uid, gid)
            os.chmod(path, mode, follow_symlinks=False)


JOURNAL = ModeJournal()
atexit.register(JOURNAL.release_all)
