"""`make release`: starters never drift, bundles never leak, the otter zip grades like we do."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ASSIGNMENTS, student_upload, zip_engine_env

from autograder.config import ROOT
from autograder.release import (
    ReleaseError,
    check_leaks,
    check_starter,
    generate_starter,
    student_bundle_files,
)


def public_api(source: str) -> dict[str, tuple[str, str | None]]:
    """Public functions/classes -> (signature, docstring)."""
    api = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            sig = ast.unparse(node.args) if isinstance(node, ast.FunctionDef) else ""
            api[node.name] = (sig, ast.get_docstring(node))
    return api


def test_committed_starter_is_generated_from_the_solution(assignment):
    check_starter(assignment)


def test_starter_and_solution_share_names_signatures_and_docstrings(assignment):
    for name in assignment.files:
        solution = public_api((assignment.solution_dir / name).read_text())
        starter = public_api((assignment.starter_dir / name).read_text())
        assert solution == starter and solution


def test_generate_starter_refuses_malformed_markers():
    with pytest.raises(ReleaseError, match="without"):
        generate_starter("def f():\n    ### BEGIN SOLUTION\n    return 1\n")
    with pytest.raises(ReleaseError, match="nested"):
        generate_starter("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n")
    assert generate_starter("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n") == (
        'def f():\n    raise NotImplementedError("f is not implemented yet")\n'
    )


def test_real_bundle_passes_the_leak_check(assignment):
    check_leaks(assignment, student_bundle_files(assignment))


def test_leak_check_catches_a_planted_solution_body(assignment):
    """Plant one solution line in the starter: the release must refuse the bundle."""
    files = student_bundle_files(assignment)
    target = assignment.files[0]
    solution = (assignment.solution_dir / target).read_text()
    body = solution.split("### BEGIN SOLUTION", 2)[2].split("### END SOLUTION")[0]
    line = next(s for s in body.splitlines() if len(s.strip()) > 20 and not s.strip().startswith("#"))
    files[target] = files[target] + f"\n{line}\n".encode()
    with pytest.raises(ReleaseError, match="leaks"):
        check_leaks(assignment, files)


def test_leak_check_catches_a_planted_hidden_test(assignment):
    files = student_bundle_files(assignment)
    files["extra_tests.py"] = (assignment.directory / "tests" / "hidden.py").read_bytes()
    with pytest.raises(ReleaseError, match="hidden.py"):
        check_leaks(assignment, files)
    files = student_bundle_files(assignment)
    files["hidden_tests.py"] = b"print('hi')\n"
    with pytest.raises(ReleaseError, match="hidden-test or mutant file name"):
        check_leaks(assignment, files)


def test_make_release_fails_on_a_leak(tmp_path):
    """`python -m autograder release` exits non-zero with a clear message when a bundle leaks.

    Runs on a copy of the project, so the planted leak never touches the real tree.
    """
    import shutil

    for folder in ("autograder", "assignments", "solutions", "starter"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    planted = tmp_path / "assignments" / "hw1_convolution" / "student" / "notes.py"
    planted.parent.mkdir()
    planted.write_text((ROOT / "assignments" / "hw1_convolution" / "tests" / "hidden.py").read_text())
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "autograder", "release", "hw1"], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "leaks" in done.stderr and "notes.py" in done.stderr
    assert not (tmp_path / "dist" / "student" / "hw1_convolution.zip").exists()


def run_self_check(bundle: Path, tmp_path: Path, replacement: dict[str, bytes] | None = None) -> subprocess.CompletedProcess:
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(tmp_path)
    folder = next(tmp_path.iterdir())
    for name, data in (replacement or {}).items():
        (folder / name).write_bytes(data)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    return subprocess.run([sys.executable, "check.py", "--zip"], cwd=folder, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def built(release):
    class Built:  # built[name] builds that assignment only, on first use
        def __getitem__(self, name: str):
            return release(next(a for a in ASSIGNMENTS if a.name == name))

    return Built()


def test_student_bundle_contents(built, assignment):
    bundle, _ = built[assignment.name]
    with zipfile.ZipFile(bundle) as zf:
        names = {Path(n).name for n in zf.namelist()}
    assert {"README.md", "check.py", "checklib.py", "public_tests.py", "assignment.json", *assignment.files} <= names
    assert not any("hidden" in n or "solution" in n for n in names)


def test_self_check_on_the_starter(built, assignment, tmp_path):
    """`python check.py --zip` prints per-question results: all FAIL on the starter (and the
    solution passes every line: test_practice's check.py --torch run), and writes the zip."""
    bundle, _ = built[assignment.name]
    starter = run_self_check(bundle, tmp_path / "starter")
    assert starter.returncode == 1 and "not implemented yet" in starter.stdout
    assert "0 of " in starter.stdout
    for q in assignment.questions:
        assert f"{q.id} {q.title}" in starter.stdout
    with zipfile.ZipFile(next((tmp_path / "starter").iterdir()) / "submission.zip") as zf:
        assert sorted(zf.namelist()) == (assignment.files if len(assignment.files) == 1 else sorted(["submission.py", *(f"convlab_files/{f}" for f in assignment.files)]))


def test_autograder_zip_has_gradescope_shape(built, assignment):
    _, zip_path = built[assignment.name]
    with zipfile.ZipFile(zip_path) as zf:
        names = set(zf.namelist())
        config = json.loads(zf.read("otter_config.json"))
        environment = zf.read("environment.yml").decode()
    assert {"setup.sh", "run_autograder", "environment.yml", "otter_config.json"} <= names
    assert config["show_hidden"] is False and config["plugins"]
    assert "torch==2.13.0+cpu" in environment and "whl/cpu" in environment  # CPU wheel on Gradescope
    assert not any("solutions/" in n or "mutants/" in n for n in names)
    assert zip_path.stat().st_size < 5 << 20


def otter_run(zip_path: Path, files: dict[str, bytes], tmp_path: Path) -> dict:
    """`otter run` as a student's upload: the file itself, or (several files) check.py's zip."""
    submission = student_upload(files, tmp_path)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("otter")), "run", "-a", str(zip_path), "-o", str(tmp_path), str(submission)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, env=zip_engine_env(zip_path, tmp_path / "zip"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((tmp_path / "results.json").read_text())


def test_otter_run_grades_solution_and_starter(built, assignment, tmp_path):
    """The built zip under a real `otter run`: solution full marks, starter 0, and the engine's own
    results.json (the plugin replaces otter's rows)."""
    a = assignment
    _, zip_path = built[a.name]
    (tmp_path / "s").mkdir()
    (tmp_path / "t").mkdir()
    solution = otter_run(zip_path, {n: (a.solution_dir / n).read_bytes() for n in a.files}, tmp_path / "s")
    starter = otter_run(zip_path, {n: (a.starter_dir / n).read_bytes() for n in a.files}, tmp_path / "t")
    assert solution["score"] == pytest.approx(a.max_score)
    assert starter["score"] == 0
    # the engine's results.json, not otter's rows: public checks visible, hidden tests after publication
    visibility = {t["name"].rsplit(": ", 1)[-1]: t["visibility"] for t in starter["tests"]}
    assert visibility == {"public checks": "visible", "hidden tests": "after_published"}
    assert {t["name"].split()[0] for t in starter["tests"]} == {q.id for q in a.questions}
    visible = "\n".join(t["output"] for t in starter["tests"] if t["visibility"] == "visible")
    hidden_lines = (a.directory / "tests" / "hidden.py").read_text().splitlines()
    leaked = [line for line in hidden_lines if len(line.strip()) > 30 and line.strip() in visible]
    assert not leaked, leaked[:3]
    assert "not implemented yet" in visible and "_convlab" not in visible
