"""Gradescope parity: every realistic upload grades as the same code graded locally.

Fast tests call the zip's ``prepare`` / ``finish`` steps on a folder laid out like
``/autograder``; slow ones run whole uploads through the Gradescope simulator (``run_autograder``
as shipped, no namespaces, a 768 MB memory cgroup) and compare with ``python -m autograder grade``.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ASSIGNMENTS, by_name, graded_mutant, student_upload, unzipped_bundle

from autograder.batch import grade_entry
from autograder.config import ROOT, ConfigError, load_assignment
from autograder.grade import grade_files
from autograder.mutants import load_mutants, mutant_files, solution_files
from autograder.otter_plugin import FINAL, MANIFEST, MULTI_FILE_FOLDER, MULTI_FILE_STUB, PARTIAL, finish, prepare
from autograder.release import student_bundle_files
from autograder.report import WHEN_STUDENTS_SEE, student_view, to_results_json
from autograder.sandbox import running_as_root
from autograder.submission import Entry

needs_root = pytest.mark.skipif(not running_as_root(), reason="the Gradescope simulator needs root (a private mount namespace)")


def fake_autograder(a, root: Path) -> Path:
    """``root`` laid out like ``/autograder`` for ``a`` (the zip's config, the assignment folder)."""
    (root / "source" / "files" / "convlab" / "assignments").mkdir(parents=True)
    (root / "source" / "files" / "convlab" / "assignments" / a.name).symlink_to(a.directory)
    config = {"plugins": [{"autograder.otter_plugin.ConvLabPlugin": {"assignment": a.name}}]}
    (root / "source" / "otter_config.json").write_text(json.dumps(config))
    (root / "submission").mkdir()
    (root / "results").mkdir()
    return root


def bundle_folder(a, release, target: Path, files: dict[str, bytes]) -> Path:
    """The student's unzipped bundle with their files in it, plus what students leave around."""
    folder = unzipped_bundle(a, release, target, files)
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "public_tests.cpython-311.pyc").write_bytes(b"\x00junk")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / f"{Path(a.files[0]).stem}-checkpoint.py").write_text("def broken(:\n")
    (folder / "notes.txt").write_text("todo: ask about stride\n")
    (folder / "my_tests.py").write_text("print('my own tests')\n")
    return folder


def uploads(a, release, tmp_path: Path) -> dict[str, tuple[Path, dict[str, str]]]:
    """Upload shapes -> (the uploaded folder's content, expected {graded name: uploaded path})."""
    files = solution_files(a)
    shapes: dict[str, tuple[Path, dict[str, str]]] = {}

    def folder(name: str, content: dict[str, bytes]) -> Path:
        path = tmp_path / name
        for rel, data in content.items():
            (path / rel).parent.mkdir(parents=True, exist_ok=True)
            (path / rel).write_bytes(data)
        return path

    shapes["loose"] = (folder("loose", files), {n: n for n in files})
    zipped = {f"{MULTI_FILE_FOLDER}/{n}": d for n, d in files.items()} | {MULTI_FILE_STUB: b"# stub\n"} if len(files) > 1 else files
    shapes["check.py zip, extracted"] = (folder("zip", zipped), {n: (f"{MULTI_FILE_FOLDER}/{n}" if len(files) > 1 else n) for n in files})
    extras = {"my_tests.py": b"print(1)\n", "notes.txt": b"notes\n", "explore.ipynb": b"{}", "README.md": b"# handout\n"}
    shapes["extra files"] = (folder("extras", files | extras), {n: n for n in files})
    bundle = bundle_folder(a, release, tmp_path / "bundle", files)
    shapes["whole bundle folder"] = (bundle.parent, {n: f"{a.name}/{n}" for n in files})
    if len(files) == 1:
        (name, data), = files.items()
        misnamed = f"{Path(name).stem.capitalize()} (1).py"
        shapes["misnamed file"] = (folder("misnamed", {misnamed: data, "notes.txt": b"x\n"}), {name: misnamed})
    return shapes


@pytest.mark.parametrize("a", ASSIGNMENTS, ids=lambda a: a.short_name)
def test_prepare_keeps_only_the_graded_files(a, release, tmp_path):
    """Every realistic upload shape: the expected files are graded, everything else is ignored
    and listed, and otter sees exactly one submission."""
    for shape, (content, expected) in uploads(a, release, tmp_path / "in").items():
        root = fake_autograder(a, tmp_path / shape.replace(" ", "_"))
        shutil.copytree(content, root / "submission", dirs_exist_ok=True)
        manifest = prepare(str(root))
        assert manifest["error"] is None, (shape, manifest)
        assert manifest["graded"] == expected, shape
        assert json.loads((root / MANIFEST).read_text()) == manifest
        top = sorted(p.name for p in (root / "submission").iterdir())
        if len(a.files) == 1:
            assert top == a.files, (shape, top)
            assert (root / "submission" / a.files[0]).read_bytes() == solution_files(a)[a.files[0]]
        else:
            assert top == [MULTI_FILE_FOLDER, MULTI_FILE_STUB], (shape, top)
            assert sorted(p.name for p in (root / "submission" / MULTI_FILE_FOLDER).iterdir()) == sorted(a.files)
        uploaded = {p.relative_to(content).as_posix() for p in content.rglob("*") if p.is_file() and not any(s.startswith((".", "__")) for s in p.relative_to(content).parts)}
        assert set(manifest["ignored"]) == uploaded - set(expected.values()), shape


def test_prepare_explains_uploads_it_cannot_grade(tmp_path):
    hw1, hw4 = by_name("hw1"), by_name("hw4")
    root = fake_autograder(hw1, tmp_path / "nothing")
    (root / "submission" / "explore.ipynb").write_text("{}")
    (root / "submission" / "notes.txt").write_text("x")
    manifest = prepare(str(root))
    assert manifest["error"] == "Nothing could be graded: no convolution.py found (found: explore.ipynb, notes.txt)."
    assert [p.name for p in (root / "submission").iterdir()] == [MULTI_FILE_STUB]
    root = fake_autograder(hw4, tmp_path / "half")
    (root / "submission" / "resnet.py").write_bytes(solution_files(hw4)["resnet.py"])
    manifest = prepare(str(root))
    assert manifest["error"] is None and "missing file(s): models.py (their questions get 0)" in manifest["notes"]


def test_finish_writes_the_engines_results_never_otters(tmp_path):
    """The engine's complete results when grading finished (even where otter's own file is
    complete); else its partial results; else every question at 0 with the reason."""
    hw1 = by_name("hw1")
    root = fake_autograder(hw1, tmp_path / "ag")
    results = root / "results" / "results.json"
    finish(str(root), 124)  # killed by the timeout, nothing written at all
    data = json.loads(results.read_text())
    assert data["score"] == 0 and "ran out of time" in data["tests"][0]["output"]
    assert {t["name"].split()[0] for t in data["tests"][1:]} == {q.id for q in hw1.questions}
    results.write_text(json.dumps({"score": 0, "tests": [{"name": "Autograder Error", "output": "More than one Python file"}]}))
    partial = {"score": 42.0, "tests": [{"name": f"{q.id} {q.title}: hidden tests", "score": 0} for q in hw1.questions]}
    (root / "results" / PARTIAL).write_text(json.dumps(partial))
    finish(str(root), 1)
    assert json.loads(results.read_text()) == partial  # the partial results replace otter's error
    final = dict(partial, score=66.0)
    (root / "results" / FINAL).write_text(json.dumps(final))
    results.write_text(json.dumps({"score": 100.0, "tests": [{"name": q.id, "score": q.points} for q in hw1.questions]}))
    finish(str(root), 0)
    assert json.loads(results.read_text()) == final  # otter's rows, complete or not, never reach students


# ---------------------------------------------------------------- whole runs in the simulator


def simulate_upload(a, release, upload: Path):
    from autograder.gradescope import simulate

    run = simulate(a, upload, release(a)[1])
    assert run.score is not None, run.output[-3000:]
    assert run.memory_limit_mb in (768, None)
    return run


# what a student must never read: the engine's calls, case ids, otter's line numbers and files
PLUMBING = re.compile(r"_convlab|require\(|Error at line|otter|convlab|q\d+/(public|hidden)/\w+/\d+|Public Tests")


def without_timing(results: dict) -> dict:
    return {k: v for k, v in results.items() if k != "execution_time"}


def assert_student_facing(a, results: dict, report: dict) -> None:
    """Per question: public checks visible, hidden tests ``after_published``, each failing case
    listed with its message and diagnosis; nothing of the engine's or otter's plumbing."""
    tests = {t["name"]: t for t in results["tests"]}
    for q in a.questions:
        cases = [r for r in report["results"] if r["question"] == q.id and r["device"] == "cpu"]
        for hidden, kind, visibility in ((False, "public checks", "visible"), (True, "hidden tests", "after_published")):
            mine = [r for r in cases if r["hidden"] == hidden]
            if not mine:
                continue
            test = tests[f"{q.id} {q.title}: {kind}"]
            assert test["visibility"] == visibility
            assert test["score"] == pytest.approx(sum(r["score"] for r in mine), abs=1e-4)
            for r in mine:
                if not r["passed"]:
                    assert f"FAIL {r['title']}" in test["output"]
                    first = r["message"].removeprefix(f"{r['title']}: ").splitlines()[0]
                    assert first in test["output"] or "the same message as the case above" in test["output"]
                    if r["diagnosis"]:
                        assert "Likely cause" in test["output"] or "the same message" in test["output"]
    for text in [results["output"]] + [t.get("output", "") for t in results["tests"]]:
        assert not PLUMBING.search(text), PLUMBING.search(text)


@needs_root
@pytest.mark.parametrize("a", ASSIGNMENTS, ids=lambda a: a.short_name)
def test_simulator_and_local_grading_write_the_same_results_json(a, release, tmp_path):
    """A buggy submission inside the whole unzipped bundle (__pycache__, notebook checkpoints,
    notes, a scratch file): the simulator's results.json (768 MB container, no namespaces)
    equals `make grade`'s for the same folder apart from timings, and shows the student every
    failing case with its message and diagnosis, hidden tests after publication."""
    mutant = load_mutants(a)[0]
    folder = bundle_folder(a, release, tmp_path / "upload", mutant_files(a, mutant))
    run = simulate_upload(a, release, folder.parent)
    shutil.copytree(folder.parent, tmp_path / "subs" / "student")
    grade_entry(a.name, Entry.of(tmp_path / "subs" / "student"), str(tmp_path / "out"))
    local = json.loads((tmp_path / "out" / "student" / "results.json").read_text())
    assert without_timing(run.results) == without_timing(local)
    assert run.score < a.max_score
    assert "Graded: " in run.results["output"] and "Ignored" in run.results["output"] and "notes.txt" in run.results["output"]
    report = json.loads((tmp_path / "out" / "student" / "report.json").read_text())["report"]
    assert_student_facing(a, run.results, report)


def test_student_view_before_and_after_publishing(tmp_path):
    """What `--as-student` prints, per `hidden_results`: before publishing only the public checks
    (and no total, unless everything is visible); after, the hidden tests and the total, except
    with `hidden`, whose hidden tests are never shown."""
    hw1 = by_name("hw1")
    mutant = next(m for m in load_mutants(hw1) if m.name == "conv2d_db_mean")
    report = graded_mutant(hw1.name, mutant.name)
    hidden_q7 = "q7 conv2d_backward: hidden tests"
    views = {}
    for mode in ("after_published", "hidden", "visible"):
        results = to_results_json(dataclasses.replace(report, hidden_results=mode))
        assert {t["visibility"] for t in results["tests"] if t["name"].endswith("hidden tests")} == {mode}
        views[mode] = (student_view(results), student_view(results, published=True))
    before, after = views["after_published"]
    assert "Autograder score: shown when grades are published" in before and hidden_q7 not in before
    assert "q7 conv2d_backward: public checks" in before and "appear when grades are published" in before
    assert f"Autograder score: {report.score:g} / 100" in after and f"[FAIL] {hidden_q7}" in after
    assert "Likely cause" in after.split(hidden_q7)[1] and "db values differ" in after
    before, after = views["hidden"]
    assert hidden_q7 not in before + after and "never shown to students" in after
    assert "Autograder score: shown when grades are published" in before and f"Autograder score: {report.score:g}" in after
    before, after = views["visible"]
    assert before == after.replace("after grades are published", "before grades are published")
    assert hidden_q7 in before and f"Autograder score: {report.score:g}" in before


@needs_root
def test_make_gradescope_prints_the_student_view(release, tmp_path):
    """`python -m autograder gradescope ... --as-student` (what `make gradescope VIEW=student`
    runs): the solution inside the whole bundle folder scores full marks, and the student sees
    the public checks now, the hidden tests later."""
    hw1 = by_name("hw1")
    folder = bundle_folder(hw1, release, tmp_path / "upload", solution_files(hw1))
    cmd = [sys.executable, "-m", "autograder", "gradescope", "hw1", str(folder.parent), "--zip", str(release(hw1)[1]), "--keep", str(tmp_path / "keep"), "--as-student"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "score 100.0 / 100" in done.stdout
    view = done.stdout.split("What the student sees on Gradescope, before grades are published")[1]
    assert "Autograder score: shown when grades are published" in view
    assert "[PASS] q1 conv_output_size: public checks" in view
    assert not re.search(r"^\[(PASS|FAIL)\] q\d+ .*: hidden tests", view, re.MULTILINE)
    assert f"({len(hw1.questions)} more test(s) appear when grades are published)" in view


def test_docs_say_when_students_see_what(assignment):
    """The handout states, in the engine's words, what the assignment's `hidden_results` shows
    and when; check.py prints it; the README describes every mode."""
    def flat(text: str) -> str:
        return " ".join(text.replace("**", "").split())

    sentence = WHEN_STUDENTS_SEE[assignment.hidden_results]
    assert sentence in flat((assignment.directory / "README.md").read_text()), assignment.name
    meta = json.loads(student_bundle_files(assignment)["assignment.json"])
    assert meta["when_results"] == sentence
    readme = flat((ROOT / "README.md").read_text())
    assert all(f"| `{mode}`" in readme for mode in WHEN_STUDENTS_SEE)


def test_hidden_results_must_be_a_gradescope_visibility(tmp_path):
    folder = tmp_path / "hw9_demo"
    folder.mkdir()
    (folder / "assignment.toml").write_text(
        'name = "hw9_demo"\ntitle = "Demo"\nfiles = ["demo.py"]\nhidden_results = "later"\n'
        '[[questions]]\nid = "q1"\ntitle = "f"\npoints = 10\n'
    )
    with pytest.raises(ConfigError, match="hidden_results = 'later'; allowed: after_published, hidden, visible"):
        load_assignment(folder)


@needs_root
def test_simulator_grades_other_upload_shapes(release, tmp_path):
    """A misnamed file, check.py's zip (extracted by Gradescope), a missing file, nothing gradable."""
    hw1, hw4 = by_name("hw1"), by_name("hw4")
    misnamed = tmp_path / "misnamed"
    misnamed.mkdir()
    (misnamed / "Convolution (1).py").write_bytes(solution_files(hw1)["convolution.py"])
    run = simulate_upload(hw1, release, misnamed)
    assert run.score == pytest.approx(100) and "Convolution (1).py (as convolution.py)" in run.results["output"]

    check_zip = student_upload(solution_files(hw4), tmp_path)
    assert simulate_upload(hw4, release, check_zip).score == pytest.approx(100)

    half = tmp_path / "half"
    half.mkdir()
    (half / "resnet.py").write_bytes(solution_files(hw4)["resnet.py"])
    run = simulate_upload(hw4, release, half)
    local = grade_files(hw4, {"resnet.py": solution_files(hw4)["resnet.py"]})
    assert run.score == pytest.approx(local.score) and 0 < run.score < 100
    assert "models.py" in json.dumps(run.results)

    nothing = tmp_path / "nothing"
    nothing.mkdir()
    (nothing / "explore.ipynb").write_text("{}")
    run = simulate_upload(hw1, release, nothing)
    assert run.score == 0 and "Nothing could be graded: no convolution.py found" in json.dumps(run.results)
