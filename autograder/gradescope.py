"""Run a built autograder zip the way Gradescope does, on this machine (no Docker needed).

    python -m autograder gradescope hw1 path/to/upload [--zip Z] [--memory-mb 768] [--keep DIR] [--as-student [--published]]
    make gradescope HW=hw1 SUBMISSION=path/to/upload

The upload is a file, a folder of uploaded files, or a zip (extracted, as Gradescope does).
Layout and process as on Gradescope: ``/autograder/{source,submission,results}`` with
``submission_metadata.json``, working directory ``/autograder``, the zip's ``run_autograder``
run as root. It runs in private mount and IPC namespaces: ``/autograder``, a fresh ``/tmp`` and
``/dev/shm`` exist only there, and the whole checkout is hidden (Gradescope has none) except the
virtualenv, so only the zip's copy of the engine, tests and tables can be read.
The worker's namespaces are disabled (``CONVLAB_NO_NAMESPACES=1``: Docker's default
capabilities refuse them), and the process tree runs in a memory cgroup limited like
Gradescope's default container (768 MB) where this machine lets us create one.
``setup.sh`` needs the internet, so the project's virtualenv stands in for otter's conda
environment (a no-op ``mamba`` that activates it); only the zip's own ``convlab_setup.sh`` runs.

Prints the score, the seconds and the peak memory of the whole process tree (PSS and RSS,
summed over processes), and keeps ``results.json``; ``--as-student`` also prints what the student
sees on Gradescope (``--published``: once grades are published).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import site
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .config import ROOT, Assignment, find_assignment
from .lifetime import descendants
from .report import student_view
from .resources import memory_cgroup_dirs

AUTOGRADER = Path("/autograder")
MAMBA_SHIM = """#!/bin/bash
# ConvLab's Gradescope simulator: the project's virtualenv stands in for otter's conda env.
VENV_BIN=@VENV_BIN@
case "$1" in
  shell) echo 'mamba() { if [ "$1" = activate ]; then export PATH='"$VENV_BIN"':$PATH; fi; }' ;;
  run) shift; while [ "${1#-}" != "$1" ]; do shift 2; done; PATH="$VENV_BIN:$PATH" exec "$@" ;;
  *) exit 0 ;;
esac
"""
METADATA = {
    "id": 1,
    "created_at": "2026-12-01T12:00:00.000000-08:00",
    "assignment": {"title": "ConvLab", "total_points": "100.0", "due_date": "2026-12-31T23:59:00.000000-08:00"},
    "submission_method": "upload",
    "users": [{"email": "student@example.edu", "id": 1, "name": "A Student"}],
    "previous_submissions": [],
}


@dataclass
class Run:
    """One simulated Gradescope run."""

    score: float | None
    seconds: float
    peak_pss_mb: float
    peak_rss_mb: float
    memory_limit_mb: int | None  # the cgroup limit the run had (None: no cgroup here)
    results: dict = field(default_factory=dict)
    output: str = ""
    returncode: int = 0
    at_peak: dict[str, int] = field(default_factory=dict)  # process -> PSS bytes at the peak


# ---------------------------------------------------------------- memory of a process tree


def tree_memory(pid: int) -> tuple[int, int, dict[str, int]]:
    """(PSS, RSS) in bytes, summed over ``pid`` and all its descendants, and PSS per process."""
    pss = rss = 0
    each: dict[str, int] = {}
    for p in descendants(pid):
        with contextlib.suppress(OSError, ValueError):
            fields = {}
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("Pss", "Rss"):
                    fields[key] = int(value.split()[0]) * 1024
            command = Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:80]
            pss, rss = pss + fields.get("Pss", 0), rss + fields.get("Rss", 0)
            each[f"{p} {command}"] = fields.get("Pss", 0)
    return pss, rss, each


class PeakMemory(threading.Thread):
    """Samples the tree's PSS and RSS until the process ends; keeps the peaks (and who held
    the memory at the PSS peak). Every 0.1 s: a sample reads each process's smaps_rollup (about
    2 ms for one holding torch), and memory peaks (a model, a training step) last longer."""

    def __init__(self, process: subprocess.Popen, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.process, self.interval, self.pss, self.rss = process, interval, 0, 0
        self.at_peak: dict[str, int] = {}

    def run(self) -> None:
        while self.process.poll() is None:
            pss, rss, each = tree_memory(self.process.pid)
            if pss > self.pss:
                self.pss, self.at_peak = pss, each
            self.rss = max(self.rss, rss)
            time.sleep(self.interval)


# ---------------------------------------------------------------- a memory cgroup like the container's


@contextlib.contextmanager
def memory_cgroup(limit_mb: int | None):
    """A child memory cgroup (v1 or v2) limited to ``limit_mb``; yields its ``cgroup.procs`` or None."""
    folder = None
    for base, limit_file, _ in memory_cgroup_dirs() if limit_mb else []:
        with contextlib.suppress(OSError):
            candidate = base / f"convlab-gradescope-{os.getpid()}-{time.monotonic_ns()}"
            candidate.mkdir()
            try:
                (candidate / limit_file).write_text(str(limit_mb << 20))
                folder = candidate
                break
            except OSError:
                candidate.rmdir()
    try:
        yield (folder / "cgroup.procs") if folder else None
    finally:
        if folder is not None:
            for _ in range(50):
                with contextlib.suppress(OSError):
                    folder.rmdir()
                    break
                time.sleep(0.1)


# ---------------------------------------------------------------- the run


def zip_engine_env(zip_path: Path, folder: Path) -> dict[str, str]:
    """An environment in which a plain ``otter run`` imports the zip's copy of the engine (its
    ``files/convlab`` extracted into ``folder``, first on PYTHONPATH), not the checkout's."""
    with zipfile.ZipFile(zip_path) as zf:
        for member in zf.namelist():
            if member.startswith("files/convlab/"):
                zf.extract(member, folder)
    return dict(os.environ, PYTHONPATH=str(folder / "files" / "convlab"))



def stage(zip_path: Path, upload: Path, root: Path) -> None:
    """Lay out ``root`` as Gradescope's ``/autograder``: source, submission, results, metadata."""
    for name in ("source", "submission", "results"):
        (root / name).mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    for script in ("run_autograder", "setup.sh", "convlab_setup.sh"):
        if (root / "source" / script).exists():
            (root / "source" / script).chmod(0o755)
    if upload.is_dir():
        shutil.copytree(upload, root / "submission", dirs_exist_ok=True, symlinks=True)
    elif upload.suffix.lower() == ".zip":
        with zipfile.ZipFile(upload) as zf:  # Gradescope extracts an uploaded zip
            zf.extractall(root / "submission")
    else:
        shutil.copy2(upload, root / "submission" / upload.name)
    (root / "submission_metadata.json").write_text(json.dumps(METADATA, indent=2))


def _inner_script(root: Path, shim: Path) -> str:
    """What runs inside the private mount and IPC namespaces, as root.

    Gradescope has no checkout: the whole checkout is covered by an empty tmpfs, and only the
    virtualenv (standing in for otter's conda environment) and the shim are mounted back, from
    descriptors opened before anything is covered (``--no-canonicalize``: mount must follow
    ``/proc/self/fd/N`` itself, not the covered path it names). ``/tmp`` and ``/dev/shm`` are
    fresh, as in a container; ``/autograder`` is the staged folder.
    """
    venv_site = Path(site.getsitepackages()[0])
    pth = venv_site / "convlab.pth"
    keep = _outermost([Path(sys.prefix), Path(sys.executable).parent, shim])
    opened = [f"exec {3 + i}< {path}" for i, path in enumerate(keep)]
    restored = [f"mkdir -p {path} && mount --no-canonicalize --bind /proc/self/fd/{3 + i} {path} && exec {3 + i}<&-" for i, path in enumerate(keep)]
    return "\n".join(
        [
            "set -e",
            "mount --make-rprivate /",
            f"touch {root / 'convlab.pth'}",
            f"mkdir -p {AUTOGRADER} && mount --bind {root} {AUTOGRADER}",
            *opened,
            "mount -t tmpfs -o mode=1777 tmpfs /tmp",
            "mount -t tmpfs -o mode=1777 tmpfs /dev/shm",
            f"mkdir -p {ROOT} && mount -t tmpfs -o mode=755 tmpfs {ROOT}",
            *restored,
            # the venv's .pth would put the checkout first on sys.path: an empty one instead
            f"if [ -e {pth} ]; then mount --bind {AUTOGRADER}/convlab.pth {pth}; fi",
            f"cd {AUTOGRADER}",
            f"PATH={shim}:$PATH bash {AUTOGRADER}/source/convlab_setup.sh",
            "set +e",
            f"exec env PATH={shim}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin {AUTOGRADER}/source/run_autograder",
        ]
    )


def _outermost(paths: list[Path]) -> list[Path]:
    """The outermost of ``paths`` (resolved): mounting those back restores the rest."""
    inside = sorted({p.resolve() for p in paths}, key=lambda p: len(p.parts))
    return [p for i, p in enumerate(inside) if not any(q == p or q in p.parents for q in inside[:i])]


def simulate(
    assignment: Assignment, upload: Path, zip_path: Path | None = None, memory_mb: int | None = 768, keep: Path | None = None
) -> Run:
    """Run ``upload`` through the assignment's autograder zip as Gradescope would."""
    from .release import build_autograder_zip

    if os.geteuid() != 0 or not shutil.which("unshare"):
        raise OSError("the Gradescope simulator needs root and util-linux unshare (a private mount namespace)")
    # not under /tmp: the run gets a fresh, empty /tmp, as a container does
    staging = ROOT / ".tmp"
    staging.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="convlab-gradescope-", dir=staging))
    try:
        zip_path = zip_path or build_autograder_zip(assignment, work / "dist")
        root, shim = work / "autograder", work / "shim"
        stage(zip_path, upload, root)
        shim.mkdir()
        (shim / "mamba").write_text(MAMBA_SHIM.replace("@VENV_BIN@", str(Path(sys.executable).parent)))
        (shim / "mamba").chmod(0o755)
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/root", "LANG": os.environ.get("LANG", "C.UTF-8"), "CONVLAB_NO_NAMESPACES": "1"}
        with memory_cgroup(memory_mb) as procs:
            started = time.perf_counter()
            process = subprocess.Popen(
                ["unshare", "--mount", "--ipc", "--", "bash", "-c", _inner_script(root, shim)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                preexec_fn=(lambda: procs.write_text(str(os.getpid()))) if procs else None,
            )
            peak = PeakMemory(process)
            peak.start()
            output = process.communicate()[0].decode("utf-8", "replace")
            seconds = time.perf_counter() - started
            peak.join()
        results_path = root / "results" / "results.json"
        results = json.loads(results_path.read_text()) if results_path.is_file() else {}
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            if results_path.is_file():
                shutil.copy2(results_path, keep / "results.json")
            (keep / "output.txt").write_text(output)
        score = results.get("score")
        return Run(score, seconds, peak.pss / (1 << 20), peak.rss / (1 << 20), memory_mb if procs else None, results, output, process.returncode, peak.at_peak)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder gradescope", description="Run an upload through an autograder zip as Gradescope does.")
    parser.add_argument("assignment", help="hw1 or hw1_convolution")
    parser.add_argument("submission", help="the upload: a file, a folder of files, or a zip")
    parser.add_argument("--zip", help="the autograder zip (default: built now from the checkout)")
    parser.add_argument("--memory-mb", type=int, default=768, help="the container's memory limit (0: none)")
    parser.add_argument("--memory", action="store_true", help="also print each process's PSS at the peak")
    parser.add_argument("--keep", default=None, help="folder for results.json and the run's output (default: dist/gradescope/<assignment>)")
    parser.add_argument("--as-student", action="store_true", help="print the results as Gradescope shows them to the student")
    parser.add_argument("--published", action="store_true", help="with --as-student: as shown once grades are published")
    args = parser.parse_args(argv)
    assignment = find_assignment(args.assignment)
    keep = Path(args.keep) if args.keep else ROOT / "dist" / "gradescope" / assignment.name
    run = simulate(assignment, Path(args.submission), Path(args.zip) if args.zip else None, args.memory_mb or None, keep)
    for test in run.results.get("tests", []):  # what stopped grading altogether (no points attached)
        if "max_score" not in test and test.get("status") == "failed":
            print(f"{test.get('name')}: {str(test.get('output', ''))[:400]}")
    if run.results.get("output"):
        print(run.results["output"])
    limit = f"{run.memory_limit_mb} MB cgroup" if run.memory_limit_mb else "no memory cgroup"
    print(f"score {run.score} / {assignment.max_score:g}   {run.seconds:.1f} s   peak PSS {run.peak_pss_mb:.0f} MB, RSS {run.peak_rss_mb:.0f} MB ({limit})")
    print(f"results.json: {keep / 'results.json'}")
    if args.memory:
        for process, pss in sorted(run.at_peak.items(), key=lambda kv: -kv[1]):
            print(f"  {pss / (1 << 20):7.1f} MB  {process}")
    if args.as_student or args.published:
        print("\n" + student_view(run.results, published=args.published))
    return 0 if run.score is not None else 1


if __name__ == "__main__":
    sys.exit(main())
