"""Release-time tables (``autograder/tables.py``): the autograder zip grades and diagnoses as a
checkout does, with neither solutions nor mutants, and without importing torch.

Tables come from the cache in ``.tmp/tables-cache`` (built once, shared by test workers).
Diagnoses are compared in-process: each mutant plays the student (its outputs, the functions
its checks call) and the whole-submission diagnosis answers from the live catalog and from the
table; one mutant also goes through the real grader, from an extracted zip, in a fresh interpreter.
"""

from __future__ import annotations

import json
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import ASSIGNMENTS, by_name, graded_mutant

from autograder import checklib, refkit, tables
from autograder import diagnose as diagnose_module
from autograder.checklib import CheckFailure
from autograder.diagnose import LiveCatalog, Seen, TableCatalog, _same, explain_submission
from autograder.grade import all_cases, grade_files, graded_cases
from autograder.mutants import catalog, import_trusted, load_mutants, mutant_files
from autograder.release import build_autograder_zip
from autograder.verdicts import Recorder

WITH_MUTANTS = [a for a in ASSIGNMENTS if load_mutants(a)]
# hw4: a Part 2 mutant, whose checks reach the student's modules through the grading adapter
GRADED_MUTANT = {"hw4_resnet": "resnet_global_max_pool"}


def table_of(assignment) -> tables.Table:
    return tables.parse(tables.table_bytes(assignment))


@pytest.mark.parametrize("name", ["hw1", "hw3", "hw6"])
def test_table_references_equal_live_references(name):
    assignment = by_name(name)
    table = table_of(assignment)
    assert table.digest == tables.input_digest(assignment)
    compared = 0
    for case in all_cases(assignment):
        if case.reference is None:
            assert not table.has_reference(case.id)
            continue
        assert table.has_reference(case.id), case.id
        tabled, live = table.reference(case.id), case.reference("cpu")
        assert list(tabled) == list(live), case.id  # the order in which outputs are compared and reported
        checklib.assert_outputs(tabled, live, rtol=1e-12, atol=1e-14, context=case.id)
        compared += 1
    assert compared > 20


def _as_student(assignment, mutant, tmp_path: Path):
    files = {**assignment.support_files, **mutant_files(assignment, mutant)}
    return import_trusted(files, tmp_path / mutant.name, assignment.files, f"convlab_test_tables_{assignment.name}_{mutant.name}")


def _observe(assignment, student) -> list[Seen]:
    """Every graded case run on ``student`` in process, as the grader sees it."""
    seen = []
    for case in graded_cases(assignment):
        recorder = Recorder(student)
        s = Seen(case, False, recorder.calls.called)
        try:
            got = case.run(recorder)
        except CheckFailure as exc:
            s.failure = str(exc)
        except Exception:  # noqa: BLE001 - a crash: failed, nothing to compare
            pass
        else:
            s.passed = True
            if case.reference is not None:
                expected = case.reference("cpu")
                try:
                    checklib.assert_outputs(got or {}, expected, rtol=case.rtol, atol=case.atol, context=case.context)
                except CheckFailure:
                    s.passed, s.got, s.expected = False, got, expected
        seen.append(s)
    return seen


def _findings(findings) -> dict:
    return {cid: (f.diagnosis, tuple(f.lines)) for cid, f in findings.items()}


def _both_ways(assignment, table, seen) -> tuple[dict, dict]:
    reference = lambda case: case.reference("cpu")  # noqa: E731
    live = explain_submission(assignment, seen, LiveCatalog(assignment), reference)
    tabled = explain_submission(assignment, seen, TableCatalog(table), reference)
    return _findings(live), _findings(tabled)


def test_table_diagnoses_equal_live_for_every_hw1_mutant(tmp_path):
    """Each hw1 mutant plays the student, in process: the whole-submission diagnosis from the live
    catalog and from the table give the same lines, case by case."""
    assignment = by_name("hw1")
    table = table_of(assignment)
    named = 0
    for mutant in catalog(assignment):
        seen = _observe(assignment, _as_student(assignment, mutant, tmp_path))
        assert any(not s.passed for s in seen), f"{mutant.name} fails no case"
        live, tabled = _both_ways(assignment, table, seen)
        assert live == tabled, f"{mutant.name}: live and table differ"
        named += any(d == mutant.family for d, _ in live.values())
    assert named >= 0.8 * len(catalog(assignment))


@pytest.mark.parametrize("assignment", WITH_MUTANTS, ids=lambda a: a.short_name)
def test_table_diagnoses_equal_live_for_one_mutant_graded(assignment, monkeypatch):
    """Through the real grader (sandboxed worker, values decoded from the wire): the diagnosis it
    asks for is answered by the live catalog and by the table, identically."""
    table = table_of(assignment)
    mutants = load_mutants(assignment)
    mutant = next((m for m in mutants if m.name == GRADED_MUTANT.get(assignment.name)), mutants[len(mutants) // 2])
    compared = []
    real = diagnose_module.explain_submission

    def both(a, seen, catalog=None, reference=None):  # what grade.explain calls
        live = real(a, seen, LiveCatalog(a), reference)
        tabled = real(a, seen, TableCatalog(table), reference)
        compared.append((_findings(live), _findings(tabled)))
        return live

    monkeypatch.setattr(diagnose_module, "explain_submission", both)
    report = grade_files(assignment, mutant_files(assignment, mutant), mutant.name)
    assert report.score < assignment.max_score and compared
    assert compared[0][0] == compared[0][1]
    assert mutant.family in report.diagnoses


def test_same_compares_values_by_the_typed_tolerant_rule():
    assert _same(1.0 + 1e-12, 1.0, 1e-7, 1e-9)  # floats within the tolerance, never exactly
    assert not _same(1.1, 1.0, 1e-7, 1e-9)
    assert _same(float("nan"), float("nan"), 1e-7, 1e-9)
    assert not _same(3.0, 3, 1e-7, 1e-9)  # an int is an int
    assert _same((2, 3.0 + 1e-13), (2, 3.0), 1e-7, 1e-9) and not _same([2, 3.0], (2, 3.0), 1e-7, 1e-9)
    assert _same((np.array([1.0, np.nan]),), (np.array([1.0, np.nan]),), 1e-7, 1e-9)  # arrays inside containers
    assert _same(checklib.Raised("IndexError", ("IndexError", "LookupError")), checklib.Raised("IndexError"), 1e-7, 1e-9)
    assert not _same(tables.Unmatchable("object"), tables.Unmatchable("object"), 1e-7, 1e-9)


def test_values_round_trip_through_a_table():
    value = {
        "out": np.arange(6.0).reshape(2, 3),
        "size": 7,
        "loss": np.float64(0.25),
        "shapes": [(2, 3), (4,)],
        "raised": checklib.Raised("ValueError", ("ValueError", "Exception")),
        "nothing": None,
        "object": object(),
    }
    blobs: list[bytes] = []
    back = tables._decode(tables._encode(value, blobs), blobs)
    assert isinstance(back["raised"], checklib.Raised) and back["raised"].bases == ("ValueError", "Exception")
    assert isinstance(back["object"], tables.Unmatchable)
    del back["object"], value["object"]
    checklib.assert_outputs(back, value, rtol=0, atol=0, context="round trip")


def test_tabled_values_stored_in_a_table():
    blobs: list[bytes] = []
    header = {"format": tables.FORMAT, "assignment": "hw0", "digest": "0" * 64, "signatures": [], "reaches": {}, "cases": {}}
    header["tabled"] = {"_edges(ScoreCase(seed=1),)": tables._encode(np.eye(2), blobs)}
    table = tables.parse(tables.dumps(header, blobs))
    found, value = table.tabled("_edges(ScoreCase(seed=1),)")
    assert found and np.array_equal(value, np.eye(2)) and table.tabled("_edges(ScoreCase(seed=2),)") == (False, None)


def test_tabled_check_inputs_are_cached_recorded_and_served():
    calls = []

    @refkit.tabled
    def weights(n: int, scale: float = 1.0) -> dict:
        calls.append(n)
        return {"w": np.arange(n) * scale}

    with refkit.recording() as recorded:
        first = weights(3)
        first["w"][0] = 99  # a caller's change never reaches the cache
        assert weights(3)["w"][0] == 0 and calls == [3]
    (key,) = recorded
    assert key.endswith("weights(3,)")
    refkit.serve(weights.__module__, lambda k: (True, {"w": np.ones(3)}) if k == key else (False, None))
    try:
        assert weights(3)["w"][0] == 1 and calls == [3]  # read from the "table"
        assert weights(4, scale=2.0)["w"][1] == 2 and calls == [3, 4]  # not in it: computed
    finally:
        refkit.serve(weights.__module__, None)


def test_lazy_modules_import_on_first_use():
    lazy = refkit.lazy_import("xml")
    assert "not imported yet" in repr(lazy)
    assert lazy.dom.__name__ == "xml.dom"  # a submodule, imported on demand
    assert "not imported yet" not in repr(lazy)
    assert isinstance(refkit.F, refkit.LazyModule) and isinstance(refkit.nn, refkit.LazyModule)


def test_stale_or_foreign_table_is_refused(tmp_path):
    hw1, hw3 = by_name("hw1"), by_name("hw3")
    data = tables.table_bytes(hw1)
    path = tmp_path / tables.TABLE_FILE
    path.write_bytes(data)
    assert tables.load(path, hw1).digest == tables.input_digest(hw1)
    header_start = len(tables.MAGIC) + 8
    stale = data.replace(tables.input_digest(hw1).encode(), b"0" * 64, 1)
    assert stale[:header_start] == data[:header_start] and stale != data
    path.write_bytes(stale)
    with pytest.raises(tables.TableError, match="digest"):
        tables.load(path, hw1)
    path.write_bytes(data)
    with pytest.raises(tables.TableError, match="not of hw3"):
        tables.load(path, hw3)
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(tables.TableError):
        tables.load(path, hw1)


GRADE_FROM_ZIP = r"""
import json, sys
from pathlib import Path
convlab, site_packages, submission = sys.argv[1:4]
sys.path[:0] = [convlab]
sys.path.append(site_packages)
import autograder
from autograder.config import load_assignment
from autograder.grade import grade_files
assignment = load_assignment(Path(convlab) / "assignments" / "hw1_convolution")
report = grade_files(assignment, {"convolution.py": Path(submission).read_bytes()}, "mutant")
print(json.dumps({
    "engine": autograder.__file__,
    "score": report.score,
    "diagnoses": report.diagnoses,
    "messages": {f"{r.case_id}@{r.device}": r.message for r in report.results},
    "torch": "torch" in sys.modules,
    "scipy": "scipy" in sys.modules,
}))
"""


def test_extracted_zip_grades_and_diagnoses_like_the_checkout_without_torch(tmp_path):
    hw1 = by_name("hw1")
    mutant = next(m for m in load_mutants(hw1) if m.name == "conv2d_db_mean")
    zip_path = build_autograder_zip(hw1, tmp_path / "dist")
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path / "source")
    assert "files/convlab/assignments/hw1_convolution/tables.bin" in names
    assert not any("solutions/" in n or "mutants/" in n or n.endswith("mutants.py") for n in names)
    convlab = tmp_path / "source" / "files" / "convlab"
    submission = tmp_path / "convolution.py"
    submission.write_bytes(mutant_files(hw1, mutant)["convolution.py"])
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()

    def grade_from_zip() -> dict:
        # -I -S: no PYTHONPATH, no site (the venv's convlab.pth would make the checkout importable)
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-c", GRADE_FROM_ZIP, str(convlab), site.getsitepackages()[0], str(submission)],
            cwd=elsewhere, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    zipped = grade_from_zip()
    assert Path(zipped["engine"]).resolve().is_relative_to(convlab.resolve())
    assert not zipped["torch"] and not zipped["scipy"]
    local = graded_mutant(hw1.name, mutant.name)
    assert zipped["score"] == pytest.approx(local.score) and zipped["score"] < hw1.max_score
    assert mutant.name in zipped["diagnoses"] and zipped["diagnoses"] == local.diagnoses
    cpu = {f"{r.case_id}@{r.device}": r.message for r in local.results if r.device == "cpu"}
    assert {k: v for k, v in zipped["messages"].items() if k in cpu} == cpu

    # a stale table is refused: references are computed (torch), the score stands, no diagnosis
    table = convlab / "assignments" / hw1.name / tables.TABLE_FILE
    table.write_bytes(table.read_bytes().replace(tables.input_digest(hw1).encode(), b"0" * 64, 1))
    refused = grade_from_zip()
    assert refused["torch"] and refused["score"] == pytest.approx(local.score) and refused["diagnoses"] == []


GRADE_SOLUTION_FROM_ZIP = r"""
import json, sys
from pathlib import Path
convlab, site_packages, name, folder = sys.argv[1:5]
sys.path[:0] = [convlab]
sys.path.append(site_packages)
from autograder.config import load_assignment
from autograder.grade import grade_files
assignment = load_assignment(Path(convlab) / "assignments" / name)
report = grade_files(assignment, {f: (Path(folder) / f).read_bytes() for f in assignment.files}, "solution")
heavy = sorted(m for m in ("torch", "scipy", "sklearn", "skimage", "captum") if m in sys.modules)
print(json.dumps({"score": report.score, "heavy": heavy}))
"""
# hw4 grades q8 by loading the trained weights into its own torch ResNet: torch loads for that check
NO_TORCH = [a for a in ASSIGNMENTS if a.short_name != "hw4"]


@pytest.mark.parametrize("a", ASSIGNMENTS, ids=lambda a: a.short_name)
def test_grading_from_the_zip_imports_no_heavy_library(a, release, tmp_path):
    """From the zip (only its engine importable), the solution gets full marks and the grader
    imports neither torch nor scipy, scikit-learn, scikit-image or Captum: references, check
    inputs and diagnoses come from the table (hw4's training check excepted: torch only)."""
    with zipfile.ZipFile(release(a)[1]) as zf:
        zf.extractall(tmp_path / "source")
    folder = tmp_path / "submission"
    folder.mkdir()
    for name, data in {n: (a.solution_dir / n).read_bytes() for n in a.files}.items():
        (folder / name).write_bytes(data)
    convlab = tmp_path / "source" / "files" / "convlab"
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", GRADE_SOLUTION_FROM_ZIP, str(convlab), site.getsitepackages()[0], a.name, str(folder)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["score"] == pytest.approx(a.max_score)
    assert result["heavy"] == ([] if a in NO_TORCH else ["torch"]), result


def test_hw6_numpy_conv1d_chain_is_f_conv1d():
    """hw6's grader runs a student's conv1d layers in NumPy (no torch): the same as F.conv1d."""
    import torch
    import torch.nn.functional as F

    from autograder.grade import load_cases

    load_cases(by_name("hw6"), "hidden")
    hidden = sys.modules["convlab_tests_hw6_upsampling_hidden"]
    rng = np.random.default_rng(5)
    for _ in range(40):
        c, t = int(rng.integers(1, 5)), int(rng.integers(4, 30))
        x, layers = rng.standard_normal((2, c, t)), []
        for _ in range(int(rng.integers(1, 4))):
            out, kernel, stride = int(rng.integers(1, 5)), int(rng.integers(1, 4)), int(rng.integers(1, 3))
            layers.append((rng.standard_normal((out, c, kernel)), rng.standard_normal(out), stride))
            c = out
        try:
            h = torch.tensor(x)
            for k, (w, b, s) in enumerate(layers):
                h = F.conv1d(h, torch.tensor(w), torch.tensor(b), stride=s)
                h = F.relu(h) if k < len(layers) - 1 else h
            expected = h.numpy()
        except RuntimeError:
            expected = None
        got = hidden._conv1d_chain(x, layers)
        assert (got is None) == (expected is None)
        if expected is not None:
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
