"""What a worker may use: its resource limits, its memory and disk budgets, and its libraries.

- ``apply_limits`` (between fork and exec): address space, CPU seconds, file size, open files,
  no core dumps, and first pick of the kernel's OOM killer (``oom_score_adj`` 1000).
- ``memory_budget_mb`` / ``MemoryWatch``: resident memory of the worker's tree, against the
  assignment's ``memory_mb`` or what the container (cgroup v1 or v2) has left.
- ``DiskWatch``: the worker's writable folder against ``disk_mb`` and a file count, so that a
  submission cannot fill the disk its batch-mates (and the grader) write to.
- Library gating, for the chmod fallback (as root, no namespaces, no Landlock): a forbidden
  library's folders become ``root:<its group>`` ``0750`` and only workers allowed it get the group.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import resource
import signal
import subprocess
import threading
import time
import zlib
from pathlib import Path

from .config import Limits
from .lifetime import PR_SET_DUMPABLE, descendants

GATE_GID_BASE = 62000  # + a stable number per library: the group that may read that library
# libraries a worker may be refused (forbidden_imports); a worker gets the groups of the rest
GATEABLE = ("torch", "scipy", "tensorflow", "jax", "cupy", "captum", "cv2", "skimage", "sklearn", "torchvision", "torchaudio", "keras", "numba")
MAX_WORKER_FILES = 4096  # entries in the worker's folder (many tiny files fill a disk's inodes)


def apply_limits(limits: Limits) -> None:
    """setrlimit in the child before exec (the uid drop, if any, comes after)."""
    import ctypes

    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # the grader is not (its /proc is root's)
    with contextlib.suppress(OSError):
        Path("/proc/self/oom_score_adj").write_text("1000")  # out of memory: the worker dies first
    mb = 1 << 20
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mb * mb, limits.memory_mb * mb))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_mb * mb, limits.file_size_mb * mb))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


# ---------------------------------------------------------------- libraries a worker may not use


def gate_gid(library: str) -> int:
    """The group allowed to read ``library``'s folder once it is gated (stable across processes)."""
    return GATE_GID_BASE + zlib.crc32(library.encode()) % 1000


def library_dirs(library: str) -> list[str]:
    """The installed folder(s) of a top-level package in this interpreter (nothing if absent)."""
    try:
        spec = importlib.util.find_spec(library)
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    return [str(Path(p).resolve()) for p in spec.submodule_search_locations if Path(p).is_dir()]


def worker_groups(forbidden: list[str]) -> list[int]:
    """The supplementary groups of a worker: one per gateable library it may use."""
    return sorted({gate_gid(name) for name in GATEABLE if name not in forbidden})


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


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    total, page = 0, os.sysconf("SC_PAGE_SIZE")
    for current in descendants(pid):
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * page
    return total


class Watch(threading.Thread):
    """Kills the worker's process group (and records ``exceeded``) once ``over()`` is true,
    checked every ``interval`` seconds while the worker lives."""

    def __init__(self, process: subprocess.Popen, interval: float) -> None:
        super().__init__(daemon=True)
        self.process, self.interval = process, interval
        self.exceeded = False

    def over(self) -> bool:
        raise NotImplementedError

    def run(self) -> None:
        while self.process.poll() is None:
            if self.over():
                self.exceeded = True
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                return
            time.sleep(self.interval)


class DiskWatch(Watch):
    """The worker's folder past ``budget_mb`` or ``MAX_WORKER_FILES`` entries (without
    namespaces; with them the folder is a sized tmpfs)."""

    def __init__(self, process: subprocess.Popen, folder: Path, budget_mb: int, interval: float = 0.1) -> None:
        super().__init__(process, interval)
        self.folder, self.budget = folder, budget_mb << 20

    def over(self) -> bool:
        return not folder_within(self.folder, self.budget, MAX_WORKER_FILES)


def folder_within(folder: Path, max_bytes: int, max_entries: int) -> bool:
    """Whether ``folder`` (walked without following links) holds at most that many bytes and entries."""
    total, count, stack = 0, 0, [str(folder)]
    while stack:
        with contextlib.suppress(OSError), os.scandir(stack.pop()) as entries:
            for entry in entries:
                count += 1
                with contextlib.suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    total += info.st_blocks * 512
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                if count > max_entries or total > max_bytes:
                    return False
    return True


class MemoryWatch(Watch):
    """The worker's tree's resident memory past ``budget_mb``."""

    def __init__(self, process: subprocess.Popen, budget_mb: int, interval: float = 0.02) -> None:
        super().__init__(process, interval)
        self.budget = budget_mb << 20

    def over(self) -> bool:
        return tree_rss(self.process.pid) > self.budget
