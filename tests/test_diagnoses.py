"""Diagnostic feedback: the mutant catalog is diagnosed by name, correct code never is, and no
diagnosis reveals a hidden test."""

from __future__ import annotations

import re

import pytest
from conftest import ASSIGNMENTS, graded_mutant

from autograder.grade import grade_files
from autograder.mutants import load_mutants, mutant_files, solution_files
from autograder.release import _distinctive

TARGET_RATE = 0.8
WITH_MUTANTS = [a for a in ASSIGNMENTS if load_mutants(a)]


def diagnosis_table(assignment) -> list[tuple[str, list[str], bool]]:
    rows = []
    for mutant in load_mutants(assignment):
        report = graded_mutant(assignment.name, mutant.name)
        # right: the mutant is named (a bug in relu_backward may also show in the CNN's gradients,
        # where the nearest signature is the CNN's own ReLU mistake: a second, related name)
        rows.append((mutant.name, report.diagnoses, mutant.name in report.diagnoses))
    return rows


@pytest.mark.parametrize("assignment", WITH_MUTANTS, ids=lambda a: a.short_name)
def test_mutant_catalog_is_diagnosed(assignment):
    """At least 80 % of the mutants are diagnosed by their own name."""
    rows = diagnosis_table(assignment)
    print(f"\n{assignment.name}: mutant -> diagnosis")
    for name, found, right in rows:
        print(f"  {'ok ' if right else '-- '} {name:<40} {', '.join(found) or '(none)'}")
    rate = sum(right for _, _, right in rows) / len(rows)
    print(f"  diagnosis rate: {rate:.0%} of {len(rows)}")
    assert rate >= TARGET_RATE, f"only {rate:.0%} of the mutants are diagnosed"


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.short_name)
def test_correct_code_gets_no_diagnosis(assignment):
    correct = [("solution", solution_files(assignment))]
    for example in sorted((assignment.directory / "examples").glob("*correct*")):
        if example.is_dir():
            correct.append((example.name, {p.name: p.read_bytes() for p in example.glob("*.py")}))
        elif example.suffix == ".py":
            correct.append((example.stem, {assignment.files[0]: example.read_bytes()}))
    for name, files in correct:
        report = grade_files(assignment, files, name)
        assert report.score == assignment.max_score and report.diagnoses == [], name


@pytest.mark.parametrize("assignment", WITH_MUTANTS, ids=lambda a: a.short_name)
def test_diagnoses_are_deterministic_and_reveal_no_hidden_test(assignment):
    hidden = (assignment.directory / "tests" / "hidden.py").read_text().splitlines()
    public = {line.strip() for line in (assignment.directory / "tests" / "public.py").read_text().splitlines()}
    secrets = _distinctive(hidden, public, 24)
    explanations = {" ".join(m.explanation.split()) for m in load_mutants(assignment)}
    for mutant in load_mutants(assignment)[:3]:
        first = graded_mutant(assignment.name, mutant.name)
        second = grade_files(assignment, mutant_files(assignment, mutant), mutant.name)
        assert [r.message for r in first.results] == [r.message for r in second.results]
        for result in first.results:
            for line in re.findall(r"Likely cause: (.*)", result.message):
                # a diagnosis line is a catalog explanation or a shape hint, nothing case-specific
                assert line in explanations or line.endswith("output size.") or "axes swapped" in line, line
                assert not any(secret in line for secret in secrets)
