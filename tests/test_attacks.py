"""The attack catalog (``tests/attacks/``), graded through the real paths: ``python -m autograder
grade`` (all attacks in one batch beside honest submissions) and the otter zip under ``otter run``.

Each attack is appended to the hw1 solution and declares in its header which questions must
score 0 (``# zeroes: q3`` / ``all`` / ``none``) and a phrase the student's feedback must show
(``# message: ...``); every other question must keep full marks.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import by_name

from autograder.config import ROOT
from autograder.mutants import solution_files, starter_files
from autograder.release import _distinctive, build_autograder_zip

ATTACKS = sorted((Path(__file__).parent / "attacks").glob("*.py"))
HW1 = by_name("hw1")


def header(path: Path, key: str) -> str | None:
    match = re.search(rf"^# {key}: (.*)$", path.read_text(), re.MULTILINE)
    return match.group(1).strip() if match else None


MARKER = "convlab-attack-leftover-marker"


def attack_source(path: Path, tag: str) -> bytes:
    """The attack appended to the solution; its leftover processes are named after ``tag`` so
    tests running in parallel each look for their own."""
    attack = path.read_text().replace(MARKER, f"{MARKER}-{tag}")
    return solution_files(HW1)["convolution.py"] + b"\n\n# ---- attack\n" + attack.encode()


def zeroed(path: Path) -> set[str]:
    spec = header(path, "zeroes")
    if spec == "all":
        return {q.id for q in HW1.questions}
    return set() if spec in (None, "none") else {q.strip() for q in spec.split(",")}


def hidden_secrets() -> set[str]:
    lines = (HW1.directory / "tests" / "hidden.py").read_text().splitlines()
    public = set((HW1.directory / "tests" / "public.py").read_text().splitlines())
    return _distinctive(lines, {p.strip() for p in public}, 24)


def assert_no_secrets(text: str) -> None:
    for secret in hidden_secrets():
        assert secret not in text, f"a hidden test line reached the student: {secret!r}"
    for word in ("hidden.py", "solutions/hw1", "otter_config.json"):
        assert word not in text, f"{word} reached the student's output"


def no_leftovers(tag: str) -> None:
    marker = subprocess.run(["pgrep", "-f", f"{MARKER}-{tag}"], capture_output=True, text=True)
    assert marker.stdout.strip() == "", "a process started by a submission outlived grading"
    planted = [p for base in (ROOT, Path("/tmp")) for p in base.glob("PWNED*")]
    assert not planted, f"a submission wrote outside its sandbox: {planted}"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Every attack plus honest submissions, graded in one `python -m autograder grade --jobs 2`.

    Graded once per test session: pytest-xdist workers share the result through a file lock.
    """
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent
    with FileLock(str(shared / "attack-batch.lock")):
        base = shared / "attack-batch"
        if not (base / "done.json").is_file():
            (base / "done.json").parent.mkdir(exist_ok=True)
            (base / "done.json").write_text(json.dumps(_grade_batch(base)))
    done = json.loads((base / "done.json").read_text())
    with open(base / "out" / "grades.csv", newline="") as f:
        rows = {r["submission"]: r for r in csv.DictReader(f)}
    return done, rows, base / "out"


def _grade_batch(base: Path) -> dict:
    subs, out = base / "subs", base / "out"
    shutil.rmtree(subs, ignore_errors=True)
    subs.mkdir()
    for path in ATTACKS:
        (subs / f"{path.stem}.py").write_bytes(attack_source(path, "batch"))
    (subs / "zz_honest_solution.py").write_bytes(solution_files(HW1)["convolution.py"])
    (subs / "zz_honest_starter.py").write_bytes(starter_files(HW1)["convolution.py"])
    cmd = [sys.executable, "-m", "autograder", "grade", "hw1", str(subs), "--out", str(out), "--jobs", "2", "--quiet"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    return {"returncode": done.returncode, "stderr": done.stderr[-5000:]}


def test_batch_survives_every_attack(batch):
    """The grader exits normally with one row per submission, honest rows untouched, nothing left behind."""
    done, rows, _ = batch
    assert done["returncode"] == 0, done["stderr"]
    assert len(rows) == len(ATTACKS) + 2
    assert float(rows["zz_honest_solution"]["score"]) == 100
    assert float(rows["zz_honest_starter"]["score"]) == 0
    no_leftovers("batch")


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda p: p.stem)
def test_attack_through_autograder_grade(batch, attack):
    _, rows, out = batch
    row = rows[attack.stem]
    feedback = (out / attack.stem / "feedback.md").read_text()
    results = (out / attack.stem / "results.json").read_text()
    for q in HW1.questions:
        expected = 0.0 if q.id in zeroed(attack) else q.points
        assert float(row[q.id]) == expected, f"{q.id}: {row[q.id]} (expected {expected})\n{feedback[:3000]}"
    if header(attack, "message"):
        assert header(attack, "message") in feedback, feedback[:3000]
    assert len(feedback) < 200_000  # output floods are truncated
    assert_no_secrets(feedback + results)
    assert "REACHED ['" not in feedback, "a submission reached the network"


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    return build_autograder_zip(HW1, tmp_path_factory.mktemp("dist"))


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda p: p.stem)
def test_attack_through_otter_run(autograder_zip, attack, tmp_path):
    """The same attack under a real `otter run` of the built autograder zip."""
    (tmp_path / "convolution.py").write_bytes(attack_source(attack, f"otter-{attack.stem}"))
    otter = Path(sys.executable).with_name("otter")
    done = subprocess.run(
        [str(otter), "run", "-a", str(autograder_zip), "-o", str(tmp_path), str(tmp_path / "convolution.py")],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads((tmp_path / "results.json").read_text())
    scores = {t["name"]: t["score"] for t in results["tests"] if "score" in t}
    for q in HW1.questions:
        expected = 0.0 if q.id in zeroed(attack) else q.points
        assert scores[q.id] == pytest.approx(expected), f"{q.id}: {scores[q.id]} (expected {expected})"
    visible = "\n".join(t.get("output", "") for t in results["tests"] if t.get("visibility") == "visible")
    assert_no_secrets(visible)
    no_leftovers(f"otter-{attack.stem}")
