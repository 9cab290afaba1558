"""Whole-submission rules (``autograder.verdicts``) and the time budget: an error case counts only
with a value case, a failing self-check names the function it really exercises, and a slow
submission still gets a complete report."""

from __future__ import annotations

import dataclasses

from conftest import by_name

from autograder.grade import grade_files
from autograder.mutants import solution_files
from autograder.report import CaseResult, Report, to_results_json
from autograder.verdicts import Calls, gate_error_cases, name_the_broken_function

HW1 = by_name("hw1")


def result(case_id: str, question: str, passed: bool, hidden: bool = True, message: str = "passed") -> CaseResult:
    return CaseResult(case_id, question, case_id, "cpu", hidden, 1.0 if passed else 0.0, 1.0, passed, message)


def test_an_error_case_counts_only_once_the_function_computes_a_value():
    results = [result("e1", "q1", True), result("v1", "q1", False), result("e2", "q2", True), result("v2", "q2", True)]
    calls = {
        "e1": Calls({"f"}, raised={"f"}),
        "v1": Calls({"f"}, raised={"f"}),
        "e2": Calls({"g"}, raised={"g"}),
        "v2": Calls({"g"}, returned={"g"}),
    }
    gate_error_cases(results, calls)
    assert [r.passed for r in results] == [False, False, True, True]
    assert results[0].score == 0 and results[0].message.startswith("not counted yet: f raised an exception here as it should")


def test_a_failing_self_check_names_the_function_it_really_exercises():
    results = [
        result("q7/public/gradcheck", "q7", False, hidden=False, message="dx values differ\nLikely cause: a wrong guess"),
        result("q7/hidden/0", "q7", True),
        result("q6/hidden/0", "q6", False),
        result("q6/hidden/1", "q6", False),
    ]
    results[0].diagnosis = "a_wrong_guess"
    calls = {r.case_id: Calls({"conv2d_forward", "conv2d_backward"}) for r in results}
    name_the_broken_function(HW1, results, calls)
    assert results[0].message == (
        "dx values differ\nYour conv2d_backward matches PyTorch on every hidden case; this check also runs your "
        "conv2d_forward, which fails 2 hidden cases: fix that first."
    )
    assert results[0].diagnosis == ""


def test_a_correct_backward_behind_a_broken_forward_is_not_blamed():
    """End to end: conv2d_forward scales its output by 1.5 but keeps a correct cache, so
    conv2d_backward matches PyTorch; q7's finite-difference check says where the bug is."""
    source = solution_files(HW1)["convolution.py"] + (
        b"\n\n_forward = conv2d_forward\n\n"
        b"def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):\n"
        b"    out, cache = _forward(x, w, b, stride=stride, padding=padding, dilation=dilation)\n"
        b"    return 1.5 * out, cache\n"
    )
    report = grade_files(HW1, {"convolution.py": source}, "forward_scaled")
    q7 = [r for r in report.results if r.question == "q7" and r.device == "cpu"]
    assert all(r.passed for r in q7 if r.hidden)
    failing = [r for r in q7 if not r.passed]
    assert failing and all("Your conv2d_backward matches PyTorch on every hidden case" in r.message for r in failing)
    assert all("conv2d_forward, which fails" in r.message and "Likely cause" not in r.message for r in failing)


def test_a_slow_submission_gets_complete_results_within_its_time_budget():
    """Every call sleeps: once the budget is spent, the remaining cases fail at once, and every
    provisional report handed to ``progress`` is already complete (every question present)."""
    limits = dataclasses.replace(HW1.limits, time_budget=4.0)
    slow = dataclasses.replace(HW1, limits=limits)
    source = solution_files(HW1)["convolution.py"] + (
        b"\n\nimport time as _time\n_correlate = correlate2d\n\n"
        b"def correlate2d(image, kernel):\n    _time.sleep(0.5)\n    return _correlate(image, kernel)\n"
    )
    seen: list[Report] = []
    report = grade_files(slow, {"convolution.py": source}, "slow", progress=seen.append)
    not_run = [r for r in report.results if r.message.startswith("not run: this submission used up its time budget of 4 s")]
    assert not_run and report.seconds < 30
    assert len(report.results) == len(seen[-1].results)
    for partial in seen:
        data = to_results_json(partial)
        assert {t["name"].split()[0] for t in data["tests"] if "score" in t} == {q.id for q in HW1.questions}
    assert any(r.passed for r in report.results)  # what ran in time counts
