"""Every assignment: references agree with the solution, the solution scores full marks, the
starter 0, the bundled examples as their names promise, and every mutant loses points."""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest
import torch
from conftest import ASSIGNMENTS, graded_mutant

from autograder import checklib
from autograder.grade import all_cases, grade_files
from autograder.mutants import import_trusted, load_mutants, solution_files, starter_files

MUTANTS = [(a, m) for a in ASSIGNMENTS for m in load_mutants(a)]


def test_solution_passes_every_case_against_the_reference_in_process(assignment, tmp_path):
    """Do the hidden references and the solution agree (without the sandbox in between)?"""
    files = {**solution_files(assignment), **assignment.support_files}
    solution = import_trusted(files, tmp_path / "solution", assignment.files, f"student_{tmp_path.name}")
    for case in all_cases(assignment):
        got = case.run(solution)
        if case.reference is not None:
            checklib.assert_outputs(got, case.reference("cpu"), rtol=case.rtol, atol=case.atol, context=case.title)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine: the CUDA leg is checked on GPU machines only")
def test_cuda_references_match_cpu(assignment):
    for case in all_cases(assignment):
        if case.reference is not None:
            cpu, cuda = case.reference("cpu"), case.reference("cuda")
            checklib.assert_outputs(cpu, cuda, rtol=1e-10, atol=1e-12, context=case.title)


def test_solution_scores_full_marks(assignment):
    report = grade_files(assignment, solution_files(assignment), "solution")
    failed = [(r.title, r.message) for r in report.results if not r.passed]
    assert report.score == assignment.max_score, failed


def test_starter_scores_zero(assignment):
    report = grade_files(assignment, starter_files(assignment), "starter")
    assert report.score == 0
    assert all("not implemented yet" in r.message for r in report.results), "starter failures should say why"


EXAMPLES = [p for a in ASSIGNMENTS for p in sorted((a.directory / "examples").glob("*")) if p.suffix == ".py" or p.is_dir()]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.parent.name.split('_')[0]}-{p.stem}")
def test_examples_score_as_named(example):
    """Examples named *correct* get full marks; every other example loses points.

    An example is a file (one-file assignments) or a folder holding the submitted files.
    """
    assignment = next(a for a in ASSIGNMENTS if a.directory == example.parent.parent)
    if example.is_dir():
        files = {p.name: p.read_bytes() for p in example.iterdir() if p.is_file()}
    else:
        files = {assignment.files[0]: example.read_bytes()}
    report = grade_files(assignment, files, example.stem)
    if "correct" in example.stem:
        assert report.score == assignment.max_score, [(r.title, r.message) for r in report.results if not r.passed]
    else:
        assert report.score < assignment.max_score


@pytest.mark.parametrize("assignment,mutant", MUTANTS, ids=[f"{a.short_name}-{m.name}" for a, m in MUTANTS])
def test_mutant_is_caught(assignment, mutant):
    """Does every realistic bug of the catalog lose points (by name, in this test's id)?"""
    report = graded_mutant(assignment.name, mutant.name)
    assert report.score < assignment.max_score, f"mutant {mutant.name} ({mutant.summary}) scored full marks"
    assert mutant.summary and mutant.explanation, f"mutant {mutant.name} needs a docstring: summary line + explanation"
    # a stale mutant crashes on the solution's internals instead of expressing its bug
    wrong_values = [r for r in report.results if not r.passed and "raised an exception" not in r.message]
    assert wrong_values, f"mutant {mutant.name} only ever crashes: does it still match the solution?"


def test_every_hidden_check_catches_some_mutant(assignment):
    """Is every hidden check able to fail: does each one catch at least one mutant?"""
    failing: set[str] = set()
    for mutant in load_mutants(assignment):
        report = graded_mutant(assignment.name, mutant.name)
        failing |= {r.case_id.rsplit("/", 1)[0] for r in report.results if not r.passed}
    checks = {c.id.rsplit("/", 1)[0] for c in all_cases(assignment) if c.hidden}
    assert checks <= failing, f"hidden checks no mutant fails: {sorted(checks - failing)}"


def test_public_expectations_match_torch():
    """The hand-worked numbers of hw1's public tests agree with PyTorch."""
    import torch.nn.functional as F
    from conftest import by_name

    a = by_name("hw1")
    spec = importlib.util.spec_from_file_location("hw1_public_for_test", a.directory / "tests" / "public.py")
    sys.modules.setdefault("checklib", checklib)
    public = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(public)
    out = F.conv2d(torch.tensor(public.LECTURE_IMAGE)[None, None], torch.tensor(public.LECTURE_KERNEL)[None, None])
    np.testing.assert_array_equal(out[0, 0].numpy(), [[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    for (n, k), kwargs, expected in [((5, 3), {}, 3), ((7, 3), {"stride": 2, "padding": 1}, 4), ((10, 3), {"dilation": 2}, 6), ((8, 3), {"stride": 3}, 2)]:
        assert F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), **kwargs).shape[-1] == expected


def test_hw5_shipped_weights_match_the_handout():
    """The committed hw5 weights are accurate, and the high learning rate killed most conv3 filters."""
    from autograder.config import ROOT

    path = ROOT / "assignments" / "hw5_understanding" / "train_models.py"
    spec = importlib.util.spec_from_file_location("convlab_hw5_train_models", path)
    train_models = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train_models)
    measured = train_models.check_shipped_models()  # NumPy model.py on the committed .npz, no training
    assert measured["digits_cnn"]["accuracy"] >= 0.97, measured
    assert measured["faces_cnn"]["accuracy"] >= 0.96, measured
    assert measured["faces_cnn_high_lr"]["accuracy"] >= 0.96, measured
    assert 16 <= measured["faces_cnn_high_lr"]["dead_conv3"] <= 21, measured
    assert measured["faces_cnn"]["dead_conv3"] <= 4, measured
