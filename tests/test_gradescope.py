"""Gradescope parity: every realistic upload grades as the same code graded locally.

Fast tests call the zip's ``prepare`` / ``finish`` steps on a folder laid out like
``/autograder``; slow ones run whole uploads through the Gradescope simulator (``run_autograder``
as shipped, no namespaces, a 768 MB memory cgroup) and compare with ``python -m autograder grade``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ASSIGNMENTS, by_name, student_upload, unzipped_bundle

from autograder.grade import grade_files
from autograder.mutants import solution_files
from autograder.otter_plugin import MANIFEST, MULTI_FILE_FOLDER, MULTI_FILE_STUB, PARTIAL, finish, prepare
from autograder.sandbox import running_as_root

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


def test_finish_always_leaves_a_complete_results_json(tmp_path):
    """Otter's own results are kept when complete; else the engine's partial results; else every
    question at 0 with the reason."""
    hw1 = by_name("hw1")
    root = fake_autograder(hw1, tmp_path / "ag")
    results = root / "results" / "results.json"
    finish(str(root), 124)  # killed by the timeout, nothing written at all
    data = json.loads(results.read_text())
    assert data["score"] == 0 and "ran out of time" in data["tests"][0]["output"]
    assert {t["name"].split()[0] for t in data["tests"][1:]} == {q.id for q in hw1.questions}
    results.write_text(json.dumps({"score": 0, "tests": [{"name": "Autograder Error", "output": "More than one Python file"}]}))
    (root / "results" / PARTIAL).write_text(json.dumps({"score": 42.0, "tests": [{"name": "q1 conv_output_size"}]}))
    finish(str(root), 1)
    assert json.loads(results.read_text())["score"] == 42.0  # the partial results replace otter's error
    complete = {"score": 100.0, "tests": [{"name": q.id, "score": q.points} for q in hw1.questions]}
    results.write_text(json.dumps(complete))
    finish(str(root), 0)
    assert json.loads(results.read_text()) == complete


# ---------------------------------------------------------------- whole runs in the simulator


def simulate_upload(a, release, upload: Path):
    from autograder.gradescope import simulate

    run = simulate(a, upload, release(a)[1])
    assert run.score is not None, run.output[-3000:]
    assert run.memory_limit_mb in (768, None)
    return run


@needs_root
@pytest.mark.parametrize("a", ASSIGNMENTS, ids=lambda a: a.short_name)
def test_simulator_grades_the_whole_bundle_folder_like_local_grading(a, release, tmp_path):
    """The unzipped bundle, with the student's solution, __pycache__, notebook checkpoints, notes
    and scratch files: full marks, as `python -m autograder grade` gives the same files, inside a
    768 MB container; results.json says what was graded and what ignored."""
    folder = bundle_folder(a, release, tmp_path / "upload", solution_files(a))
    run = simulate_upload(a, release, folder.parent)
    local = grade_files(a, solution_files(a))
    assert run.score == pytest.approx(local.score) == a.max_score
    assert "Graded: " in run.results["output"] and "Ignored" in run.results["output"] and "notes.txt" in run.results["output"]


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
