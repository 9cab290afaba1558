"""Nothing lost: a 100-submission batch with --jobs 2 (correct, buggy, attacks, corrupt), a
deterministic regrade (of every distinct content), bounded memory, and an interrupted batch
that resumes."""

from __future__ import annotations

import csv
import resource
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import by_name

from autograder.config import ROOT
from autograder.mutants import load_mutants, mutant_files, solution_files, starter_files

HW1 = by_name("hw1")
ATTACKS = Path(__file__).parent / "attacks"
# cheap attacks only: the ones that time out are covered by test_attacks.py
BATCH_ATTACKS = ["os_exit_in_function", "memory_bomb", "print_flood", "monkeypatch_checkers", "forged_reply", "fork_bomb", "returns_lying_subclass", "sys_exit_at_import"]


def templates() -> dict[str, bytes | None]:
    """Distinct submission contents; None marks the corrupt entries, written specially."""
    solution = solution_files(HW1)["convolution.py"]
    out: dict[str, bytes | None] = {"correct": solution, "starter": starter_files(HW1)["convolution.py"]}
    for mutant in load_mutants(HW1):
        out[f"bug_{mutant.name}"] = mutant_files(HW1, mutant)["convolution.py"]
    for name in BATCH_ATTACKS:
        out[f"attack_{name}"] = solution + b"\n\n" + (ATTACKS / f"{name}.py").read_bytes()
    for name in ("corrupt_zip", "notebook", "empty", "binary", "traversal_zip", "two_candidates"):
        out[name] = None
    return out


def write_entry(folder: Path, name: str, kind: str, data: bytes | None) -> None:
    solution = solution_files(HW1)["convolution.py"]
    if data is not None:
        (folder / f"{name}.py").write_bytes(data)
    elif kind == "corrupt_zip":
        (folder / f"{name}.zip").write_bytes(b"PK\x03\x04garbage")
    elif kind == "notebook":
        (folder / f"{name}.ipynb").write_text('{"cells": []}')
    elif kind == "empty":
        (folder / f"{name}.py").write_bytes(b"")
    elif kind == "binary":
        (folder / f"{name}.py").write_bytes(bytes(range(256)) * 4)
    elif kind == "traversal_zip":
        with zipfile.ZipFile(folder / f"{name}.zip", "w") as zf:
            zf.writestr("../../../../tmp/PWNED_traversal.py", b"x = 1\n")
            zf.writestr("/etc/PWNED_absolute.py", b"x = 1\n")
    elif kind == "two_candidates":
        (folder / name).mkdir()
        (folder / name / "Convolution.py").write_bytes(solution)
        (folder / name / "convolution (1).py").write_bytes(solution + b"\n# an older version\n")


def read_rows(path: Path) -> dict[str, dict]:
    with open(path, newline="") as f:
        return {r["submission"]: {k: v for k, v in r.items() if k != "seconds"} for r in csv.DictReader(f)}


def grade(folder: Path, out: Path, jobs: int = 2) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "autograder", "grade", "hw1", str(folder), "--out", str(out), "--jobs", str(jobs), "--quiet"]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)


@pytest.mark.slow
def test_100_submissions_nothing_lost(tmp_path):
    kinds = templates()
    names = sorted(kinds)
    folder = tmp_path / "subs"
    folder.mkdir()
    kind_of = {}
    for i in range(100):
        kind = names[i % len(names)]
        kind_of[f"s{i:03d}_{kind}"] = kind
        write_entry(folder, f"s{i:03d}_{kind}", kind, kinds[kind])

    started = time.monotonic()
    first = grade(folder, tmp_path / "run1")
    seconds = time.monotonic() - started
    assert first.returncode == 0, first.stderr[-3000:]
    rows = read_rows(tmp_path / "run1" / "grades.csv")
    assert len(rows) == 100 and set(rows) == set(kind_of)

    assert {r["status"] for n, r in rows.items() if kind_of[n] in ("corrupt_zip", "notebook", "empty", "binary", "traversal_zip", "two_candidates")} == {"rejected"}

    # every row equals its content graded again from scratch in another batch (one entry of each
    # kind): batch-mates change nothing, and regrading is deterministic
    again = tmp_path / "again"
    again.mkdir()
    first_of = {kind: name for name, kind in sorted(kind_of.items(), reverse=True)}
    for kind, name in first_of.items():
        write_entry(again, name, kind, kinds[kind])
    second = grade(again, tmp_path / "run2")
    assert second.returncode == 0
    regraded = read_rows(tmp_path / "run2" / "grades.csv")
    assert set(regraded) == set(first_of.values())
    for name, row in rows.items():
        twin = first_of[kind_of[name]]
        assert row == {k: v.replace(twin, name) for k, v in regraded[twin].items()}, name

    # bounded memory: the largest process of both runs (grader, pool process or worker)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak_mb < 1500, f"peak RSS {peak_mb:.0f} MB"
    assert not Path("/tmp/PWNED_traversal.py").exists() and not Path("/etc/PWNED_absolute.py").exists()
    print(f"\n100 submissions, --jobs 2: {seconds:.1f} s; peak RSS {peak_mb:.0f} MB")


@pytest.mark.slow
def test_interrupted_batch_resumes_without_regrading(tmp_path):
    folder, out = tmp_path / "subs", tmp_path / "out"
    folder.mkdir()
    mutants = load_mutants(HW1)
    for i in range(80):
        data = mutant_files(HW1, mutants[i % len(mutants)])["convolution.py"] if i % 2 else solution_files(HW1)["convolution.py"]
        (folder / f"student{i:02d}.py").write_bytes(data)
    cmd = [sys.executable, "-m", "autograder", "grade", "hw1", str(folder), "--out", str(out), "--jobs", "2", "--quiet"]
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if (out / "grades.csv").is_file() and len(read_rows(out / "grades.csv")) >= 5:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "rerun to resume" in stderr
    partial = read_rows(out / "grades.csv")  # parses: never torn
    assert 5 <= len(partial) < 80
    stamps = {name: (out / name / "report.json").stat().st_mtime_ns for name in partial}

    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    final = read_rows(out / "grades.csv")
    assert len(final) == 80
    for name, stamp in stamps.items():
        assert (out / name / "report.json").stat().st_mtime_ns == stamp, f"{name} was regraded"
        assert final[name] == partial[name]
