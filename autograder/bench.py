"""Benchmarks, measured side by side in one run (never in unit tests).

    python -m autograder.bench              # grading times + solution vs torch CPU ratios
    python -m autograder.bench --batch 100  # also: 100 submissions with --jobs 2
    python -m autograder.bench --export 300 --only-export  # the end of an assignment, 300 students

Table 1 times whole commands in fresh processes, as a TA runs them: ``python -m autograder
grade`` on one submission (solution, starter, one with an infinite loop) and a bare
``otter run`` of the same autograder zip on the same file. Table 2 compares the hw1 reference
solution with ``torch.nn.functional`` on CPU (one thread each), as median of repeats.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .config import ROOT, find_assignment
from .gradescope import zip_engine_env
from .mutants import load_mutants, mutant_files, solution_files, starter_files, write_submission
from .release import build_autograder_zip

LOOP = b"\n\ndef conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):\n    while True:\n        pass\n"


def _timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, env=dict(env or os.environ, PYTHONWARNINGS="ignore"))
    return time.perf_counter() - started


def grading_table(work: Path) -> list[tuple[str, float, float]]:
    a = find_assignment("hw1")
    zip_path = build_autograder_zip(a, work / "dist")
    subs = {
        "solution": solution_files(a),
        "starter": starter_files(a),
        "infinite loop in conv2d_forward": {"convolution.py": solution_files(a)["convolution.py"] + LOOP},
    }
    rows = []
    for label, files in subs.items():
        folder = write_submission(files, work / label.split()[0] / "in" / "student")
        ours = _timed([sys.executable, "-m", "autograder", "grade", "hw1", str(folder.parent), "--out", str(work / label.split()[0] / "out"), "--jobs", "1", "--quiet"], ROOT)
        env = zip_engine_env(zip_path, work / label.split()[0] / "zip")  # the zip's engine, as on Gradescope
        otter = _timed([str(Path(sys.executable).with_name("otter")), "run", "-a", str(zip_path), "-o", str(folder), str(folder / "convolution.py")], folder, env)
        rows.append((label, ours, otter))
    return rows


def ratio_table() -> list[tuple[str, float, float]]:
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    sys.path.insert(0, str(ROOT / "solutions" / "hw1_convolution"))
    import convolution as sol

    def median(fn, repeats: int = 7) -> float:
        fn()
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return float(np.median(times))

    rows = []
    rng = np.random.default_rng(0)
    for n, c, f, hw, k, s in [(8, 16, 32, 32, 3, 1), (16, 32, 64, 16, 3, 2), (4, 3, 16, 64, 5, 1)]:
        x, w, b = rng.standard_normal((n, c, hw, hw)), rng.standard_normal((f, c, k, k)), rng.standard_normal(f)
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        out, cache = sol.conv2d_forward(x, w, b, stride=s, padding=1)
        dout = rng.standard_normal(out.shape)
        label = f"N={n} C={c}->{f} {hw}x{hw} k{k} s{s}"
        rows.append((f"conv2d_forward  {label}", median(lambda: sol.conv2d_forward(x, w, b, stride=s, padding=1)), median(lambda: F.conv2d(xt, wt, bt, stride=s, padding=1))))

        def torch_backward():
            y = F.conv2d(xt, wt, bt, stride=s, padding=1)
            torch.autograd.grad(y, (xt, wt, bt), torch.tensor(dout))

        rows.append((f"conv2d fwd+bwd   {label}", median(lambda: sol.conv2d_backward(dout, sol.conv2d_forward(x, w, b, stride=s, padding=1)[1])), median(torch_backward)))
    return rows


def gradescope_table(work: Path) -> list[tuple[str, float, float | None, float | None, float | None]]:
    """Per assignment, the solution: `python -m autograder grade` beside the Gradescope simulator
    (its seconds and whole-tree peak PSS/RSS, in a 768 MB cgroup). hw4 also with its heaviest
    legitimate submission (the plain-loop example)."""
    from .config import all_assignments
    from .gradescope import simulate

    rows = []
    for a in all_assignments():
        uploads = [("solution", solution_files(a))]
        heavy = a.directory / "examples" / "loops_correct"
        if heavy.is_dir():
            uploads.append(("loops_correct", {p.name: p.read_bytes() for p in heavy.iterdir() if p.is_file()}))
        for label, files in uploads:
            folder = write_submission(files, work / "gs" / a.name / label / "in" / "student")
            ours = _timed([sys.executable, "-m", "autograder", "grade", a.short_name, str(folder.parent), "--out", str(folder.parent.parent / "out"), "--jobs", "1", "--quiet"], ROOT)
            try:
                run = simulate(a, folder, build_autograder_zip(a, work / "gs" / "dist") if label == "solution" else work / "gs" / "dist" / "autograder" / f"{a.name}-autograder.zip")
                rows.append((f"{a.short_name} {label}", ours, run.seconds, run.peak_pss_mb, run.peak_rss_mb))
            except OSError:  # not root, or no unshare: no simulator here
                rows.append((f"{a.short_name} {label}", ours, None, None, None))
    return rows


def batch_time(work: Path, count: int, jobs: int) -> float:
    a = find_assignment("hw1")
    mutants = load_mutants(a)
    subs = work / "batch"
    for i in range(count):
        files = solution_files(a) if i % 3 == 0 else mutant_files(a, mutants[i % len(mutants)])
        (subs).mkdir(parents=True, exist_ok=True)
        (subs / f"student{i:03d}.py").write_bytes(files["convolution.py"])
    return _timed([sys.executable, "-m", "autograder", "grade", "hw1", str(subs), "--out", str(work / "batch-out"), "--jobs", str(jobs), "--quiet"], ROOT)


def write_export(a, work: Path, count: int) -> tuple[Path, Path]:
    """A Gradescope export of ``count`` hw1 submissions (1/3 solution, 2/3 mutants, every 50th a
    group of two, every 25th misnamed) and its roster; the format of ``export.py``."""
    import zipfile

    mutants = load_mutants(a)
    solution = solution_files(a)["convolution.py"]
    lines, roster = ["---"], ["First Name,Last Name,SID,Email,Role"]
    path = work / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(count):
            data = solution if i % 3 == 0 else mutant_files(a, mutants[i % len(mutants)])["convolution.py"]
            name = "Convolution (1).py" if i % 25 == 7 else "convolution.py"
            zf.writestr(f"assignment_1_export/submission_{100000 + i}/{name}", data)
            people = [i, 1000 + i] if i % 50 == 0 else [i]
            lines += [f"submission_{100000 + i}:", "  :submitters:"]
            for k in people:
                lines += [f"  - :name: Student {k}", f"    :sid: '{5000000 + k}'", f"    :email: s{k}@example.edu"]
                roster.append(f"Student,{k},{5000000 + k},s{k}@example.edu,Student")
            lines += ["  :created_at: 2025-10-01 20:15:07.938335000 Z", f"  :score: {100.0 if i % 3 == 0 else 0.0}", "  :status: processed", "  :history: []"]
        zf.writestr("assignment_1_export/submission_metadata.yml", "\n".join(lines) + "\n")
    (work / "roster.csv").write_text("\n".join(roster + ["Late,Student,5999999,late@example.edu,Student"]) + "\n")
    return path, work / "roster.csv"


def export_table(work: Path, count: int, jobs: int) -> list[tuple[str, float]]:
    """The end of an assignment for ``count`` students, each step a whole command as an
    instructor runs it: export -> grade (with the roster; reconciliation included) -> regrade
    one student -> LMS upload -> class report."""
    a = find_assignment("hw1")
    folder = work / "end"
    folder.mkdir()
    export, roster = write_export(a, folder, count)
    out = folder / "grades"
    py = [sys.executable, "-m", "autograder"]
    steps = [
        (f"grade {count} submissions (--jobs {jobs}, roster, reconcile)", [*py, "grade", "hw1", str(export), "--out", str(out), "--roster", str(roster), "--jobs", str(jobs), "--quiet"]),
        ("rerun: nothing to regrade (resume)", [*py, "grade", "hw1", str(export), "--out", str(out), "--jobs", str(jobs), "--quiet"]),
        ("regrade one student (--only)", [*py, "grade", "hw1", str(export), "--out", str(out), "--only", "s3@example.edu", "--jobs", str(jobs), "--quiet"]),
        ("LMS upload (gradebook --format canvas)", [*py, "gradebook", str(out), "--format", "canvas"]),
        ("class report (report, chart)", [*py, "report", "hw1", str(out)]),
    ]
    return [(label, _timed(cmd, ROOT)) for label, cmd in steps]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.bench")
    parser.add_argument("--batch", type=int, default=0, help="also time grading N submissions")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--export", type=int, default=0, help="also time the end of an assignment for N students")
    parser.add_argument("--only-export", action="store_true", help="only the end-of-assignment table")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="convlab-bench-"))
    try:
        if args.export:
            print(f"the end of an assignment, {args.export} students, whole commands (seconds)")
            for label, seconds in export_table(work, args.export, args.jobs):
                print(f"{label:<58} {seconds:>8.1f}")
            if args.only_export:
                return 0
            print()
        print("hw1 grading, one submission, whole command in a fresh process (seconds)")
        print(f"{'submission':<34} {'autograder grade':>17} {'otter run (zip)':>16} {'ratio':>7}")
        for label, ours, otter in grading_table(work):
            print(f"{label:<34} {ours:>17.2f} {otter:>16.2f} {ours / otter:>7.2f}")
        print("\nper assignment: python -m autograder grade vs the Gradescope simulator (768 MB container, no namespaces)")
        print(f"{'submission':<24} {'autograder grade s':>18} {'gradescope s':>13} {'peak PSS MB':>12} {'peak RSS MB':>12}")
        for label, ours, sim, pss, rss in gradescope_table(work):
            cells = f"{sim:>13.1f} {pss:>12.0f} {rss:>12.0f}" if sim is not None else f"{'(needs root)':>13}"
            print(f"{label:<24} {ours:>18.2f} {cells}")
        print("\nhw1 solution (NumPy) vs torch.nn.functional on CPU, one thread, median seconds")
        print(f"{'operation':<46} {'numpy':>9} {'torch':>9} {'ratio':>7}")
        for label, ours, ref in ratio_table():
            print(f"{label:<46} {ours:>9.4f} {ref:>9.4f} {ours / ref:>7.2f}")
        if args.batch:
            seconds = batch_time(work, args.batch, args.jobs)
            print(f"\n{args.batch} submissions (1/3 solution, 2/3 mutants), --jobs {args.jobs}: {seconds:.1f} s ({seconds / args.batch:.2f} s each)")
        import resource

        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak resident memory of any one grading process: {peak:.0f} MB (Gradescope's default: 768 MB)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
