"""What a worker may see of the machine.

Where the machine allows it (``isolation()``), the worker starts inside fresh mount, network and
PID namespaces (util-linux ``unshare``): no network interface but a downed loopback, its own
``/proc``, the grader's files (tests, solutions, results, other workers) and the libraries its
files may not use covered by empty tmpfs mounts. As an ordinary user the namespaces are entered
through a user namespace.

Without namespaces (Gradescope), as root, the paths to hide are made unreadable to 'others'
(``protect_without_namespaces``) and forbidden libraries are gated by group
(``gate_libraries``).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .config import ROOT
from .lifetime import running_as_root
from .resources import gate_gid, library_dirs

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
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
    paths = [ROOT / name for name in ("assignments", "solutions", "dist", "tests", ".git")]
    # world-writable places too: inside the namespace nothing a worker writes outlives it
    paths += [Path(tempfile.gettempdir()), Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path("/autograder")]
    return [str(p) for p in paths]


def jail_config(hide: list[str], forbidden: list[str], home: str) -> dict:
    """What ``worker.enter_jail`` mounts: tmpfs over ``hide`` and the forbidden libraries, the
    needed paths they cover mounted back, the worker's folder at ``home``."""
    hide_all = sorted(set(hide) | {d for lib in forbidden for d in library_dirs(lib)})
    return {"hide": hide_all, "restore": covered(needed_paths(), hide_all), "home": home}


def make_reachable(paths: list[Path]) -> None:
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
