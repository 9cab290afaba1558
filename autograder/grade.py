"""Grade one submission: assignment config -> sandboxed workers -> cases -> report.

The trusted process (this one) holds the tests and the references; the submission runs only
in workers behind ``SubmissionProxy`` (one per import policy). Each case calls the student
once; its outputs are compared with the reference computed on every available device (CPU
always, CUDA when present). Points live on the CPU results; CUDA results are recorded with 0
points so a score never depends on the grading machine. A submission has a time budget
(``limits.time_budget``): once spent, the remaining cases fail at once. The whole-submission
rules of ``verdicts`` and the diagnosis (``diagnose``: facts about every failed comparison, and a
misconception where one explains the whole submission) run last.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import checklib, refkit, tables
from .checklib import Case, CheckFailure
from .config import Assignment
from .diagnose import Seen
from .proxy import StudentError, StudentProxy, StudentTimeout, SubmissionProxy, WorkerGroupProxy, defined_names
from .report import CaseResult, Report
from .sandbox import default_hidden_paths
from .verdicts import Calls, Recorder, gate_error_cases, name_the_broken_function

_REFERENCE_CACHE: dict[tuple[str, str, str], Any] = {}
_SUITE_CACHE: dict[tuple[str, str], list[Case]] = {}


def load_cases(assignment: Assignment, which: str) -> list[Case]:
    """Import ``tests/public.py`` or ``tests/hidden.py`` of an assignment and return its cases."""
    key = (str(assignment.directory), which)
    if key not in _SUITE_CACHE:
        path = assignment.directory / "tests" / f"{which}.py"
        sys.modules.setdefault("checklib", checklib)  # tests import it as students do
        # the hidden tests' shared PyTorch helpers; torch itself is imported on first use
        kit = sys.modules.setdefault("refkit", refkit)
        spec = importlib.util.spec_from_file_location(f"convlab_tests_{assignment.name}_{which}", path)
        if which == "hidden":
            tables.table_for(assignment)  # a release's table, if shipped: references without torch
            # and the @refkit.tabled check inputs, read from it when grading
            kit.serve(spec.name, lambda key, a=assignment: tables.tabled_value(a, key))
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
        _SUITE_CACHE[key] = module.suite.cases
    return _SUITE_CACHE[key]


_NO_CUDA = "CUDA is not available on this grading machine: references computed on CPU only"
# device nodes of a GPU driver: NVIDIA's, WSL's GPU paravirtualization, AMD's ROCm (torch.cuda too)
_GPU_NODES = ("/dev/nvidia0", "/dev/nvidiactl", "/dev/dxg", "/dev/kfd")


def _gpu_present() -> bool:
    gpus = Path("/proc/driver/nvidia/gpus")
    return any(os.path.exists(node) for node in _GPU_NODES) or (gpus.is_dir() and any(gpus.iterdir()))


def available_devices(assignment: Assignment | None = None) -> tuple[list[str], str | None]:
    """The devices references are computed on, and why CUDA is skipped (None if it is not).

    With a release's table (for ``assignment``; without one, for any assignment loaded in this
    process) and no GPU driver on the machine, torch is not imported at all: the CPU references
    come from the table. Otherwise torch decides.
    """
    tabled = tables.table_for(assignment) is not None if assignment is not None else tables.any_loaded()
    if tabled and not _gpu_present():
        return ["cpu"], _NO_CUDA
    import torch

    if torch.cuda.is_available():
        return ["cpu", "cuda"], None
    return ["cpu"], _NO_CUDA


def _reference(assignment: Assignment, case: Case, device: str) -> dict:
    """The case's reference on ``device``: the release's table on CPU where there is one, else computed."""
    key = (assignment.name, case.id, device)
    if key not in _REFERENCE_CACHE:
        table = tables.table_for(assignment) if device == "cpu" else None
        if table is not None and table.has_reference(case.id):
            _REFERENCE_CACHE[key] = table.reference(case.id)
        else:
            _REFERENCE_CACHE[key] = case.reference(device)
    return _REFERENCE_CACHE[key]


def case_points(assignment: Assignment, cases: list[Case]) -> dict[str, float]:
    """Split each question's points over its cases, proportionally to their weights."""
    totals: dict[str, float] = {}
    for case in cases:
        totals[case.question] = totals.get(case.question, 0.0) + case.weight
    return {c.id: assignment.question(c.question).points * c.weight / totals[c.question] for c in cases}


def run_case(
    assignment: Assignment, case: Case, student: Any, points: float, devices: list[str], seconds_left: float | None = None
) -> tuple[list[CaseResult], Calls, Seen]:
    """Run one case against ``student`` (a proxy or a module): one result per device, the calls
    made, and what the case showed (for the diagnosis, which runs once every case has).

    ``seconds_left``: the submission's remaining time budget, which caps every call of the case.
    """

    def result(device: str, passed: bool, message: str) -> CaseResult:
        max_score = points if device == "cpu" else 0.0
        return CaseResult(
            case_id=case.id,
            question=case.question,
            title=case.title,
            device=device,
            hidden=case.hidden,
            score=max_score if passed else 0.0,
            max_score=max_score,
            passed=passed,
            message=message,
        )

    legs = devices if case.reference is not None else ["cpu"]
    recorder = Recorder(student)
    calls = recorder.calls
    seen = Seen(case, False, calls.called)
    deadline, budget_cut = contextlib.nullcontext(), False
    if hasattr(student, "deadline"):
        limit = case.timeout or student.call_timeout
        budget_cut = seconds_left is not None and seconds_left < limit
        deadline = student.deadline(seconds_left if budget_cut else limit)
    try:
        with deadline:
            got = case.run(recorder)
    except StudentError as exc:
        message = str(exc)
        if isinstance(exc, StudentTimeout) and budget_cut:
            message += f"\nThis submission's time budget ({assignment.limits.time_budget:g} s) ran out during this case."
        return [result(d, False, message) for d in legs], calls, seen
    except CheckFailure as exc:
        seen.failure = str(exc)
        return [result(d, False, str(exc)) for d in legs], calls, seen
    except Exception as exc:  # noqa: BLE001 - the student's return value broke the check
        message = f"{case.context}: unexpected result ({type(exc).__name__}: {exc})"
        return [result(d, False, message) for d in legs], calls, seen
    if case.reference is None:
        seen.passed = True
        return [result("cpu", True, "passed")], calls, seen
    results = []
    for device in devices:
        expected = _reference(assignment, case, device)
        try:
            checklib.assert_outputs(got or {}, expected, rtol=case.rtol, atol=case.atol, context=case.context)
            results.append(result(device, True, "passed"))
        except CheckFailure as exc:
            results.append(result(device, False, str(exc)))
            if device == "cpu":
                seen.got, seen.expected = got, expected
    seen.passed = results[0].passed
    return results, calls, seen


def explain(assignment: Assignment, results: list[CaseResult], seen: dict[str, Seen], blamed: set[str]) -> None:
    """The whole-submission diagnosis, in place: each failing case's message gets its verified
    facts and, where one misconception explains the submission, its "Likely cause"."""
    from .diagnose import explain_submission

    for case_id in blamed:
        seen[case_id].blamed = True
    try:
        findings = explain_submission(assignment, list(seen.values()), reference=lambda case: _reference(assignment, case, "cpu"))
    except Exception as exc:  # noqa: BLE001 - feedback is extra: a bug in it never costs a grade
        print(f"ConvLab: no diagnosis for this submission ({type(exc).__name__}: {exc})", file=sys.stderr)
        return
    for r in results:
        finding = findings.get(r.case_id)
        if finding is None or r.passed:
            continue
        r.message = "\n".join([r.message, *finding.lines])
        r.diagnosis = finding.diagnosis if r.case_id not in blamed else ""


def all_cases(assignment: Assignment) -> list[Case]:
    return load_cases(assignment, "public") + load_cases(assignment, "hidden")


def graded_cases(assignment: Assignment) -> list[Case]:
    """The cases the grader runs: a public check of weight 0 is for ``check.py`` only (hw4 trains
    and measures on the student's machine; the hidden q8 check grades it).

    In question order (public before hidden within each): a question's functions live in one
    file, so a submission of several worker groups (hw4) starts each group's worker once,
    where public-then-hidden order would start each twice."""
    order = {q.id: i for i, q in enumerate(assignment.questions)}
    return sorted((c for c in all_cases(assignment) if c.weight > 0), key=lambda c: order.get(c.question, len(order)))


def submission_proxy(assignment: Assignment, files: dict[str, bytes], hide: list[str] | None = None) -> SubmissionProxy:
    """One worker per ``[[workers]]`` group, each given its submitted files and the support files;
    calls are routed by ``assignment.owners`` (and adapters' functions to their group)."""
    groups, owners = [], dict(assignment.owners)
    support = assignment.support_files
    for index, group in enumerate(assignment.worker_groups):
        submitted = {n: files[n] for n in group.files if n in files}
        adapters = {f"{a}.py": support.get(f"{a}.py", b"") for a in group.adapters}
        proxy = StudentProxy(
            {**submitted, **support},
            [m for m, f in zip(assignment.modules, assignment.files, strict=True) if f in submitted],
            opaque=assignment.opaque_returns,
            limits=assignment.limits,
            forbidden_imports=list(group.forbidden_imports),
            hide=default_hidden_paths() + [str(assignment.directory)] + list(hide or []),
            missing_files=[n for n in group.files if n not in files],
            adapters=list(group.adapters),
            memoize=assignment.memoize,
        )
        for name in defined_names(adapters):
            owners.setdefault(name, index)
        groups.append(WorkerGroupProxy(proxy, group.files, defined_names(adapters) | defined_names(submitted)))
    return SubmissionProxy(groups, owners)


def _not_run(case: Case, points: float, message: str) -> CaseResult:
    return CaseResult(case.id, case.question, case.title, "cpu", case.hidden, 0.0, points, False, message)


def grade_files(
    assignment: Assignment,
    files: dict[str, bytes],
    submission: str = "submission",
    hide: list[str] | None = None,
    progress: Callable[[Report], None] | None = None,
) -> Report:
    """Grade a submission given as its files (name -> bytes) in fresh sandboxed workers.

    ``hide``: extra paths the workers must not see, besides the defaults and the assignment folder.
    ``progress``: called after every case with a provisional report in which the cases not run
    yet fail ("grading was cut short"), so a results file written from it is always complete.
    """
    started = time.perf_counter()
    cases = graded_cases(assignment)
    points = case_points(assignment, cases)
    devices, cuda_note = available_devices(assignment)
    report = Report(assignment=assignment.name, submission=submission, max_score=assignment.max_score)
    report.devices, report.device_note = devices, cuda_note or ""
    missing = [f for f in assignment.files if f not in files]
    if missing:
        report.notes.append(f"missing file(s): {', '.join(missing)}")
    calls: dict[str, Calls] = {}
    seen: dict[str, Seen] = {}
    budget = assignment.limits.time_budget
    with submission_proxy(assignment, files, hide) as proxy:
        for index, case in enumerate(cases):
            left = budget - (time.perf_counter() - started)
            if left <= 0:
                message = f"not run: this submission used up its time budget of {budget:g} s (see the slow or looping functions above)"
                report.results.append(_not_run(case, points[case.id], message))
                calls[case.id] = Calls()
                seen[case.id] = Seen(case, False, set())
                continue
            results, calls[case.id], seen[case.id] = run_case(assignment, case, proxy, points[case.id], devices, seconds_left=left)
            report.results.extend(results)
            if progress is not None:
                progress(_provisional(assignment, report, calls, cases[index + 1 :], points, time.perf_counter() - started))
        report.error = "\n".join(dict.fromkeys(proxy.import_errors)) or None
        report.output = proxy.output
    gate_error_cases(report.results, calls)
    blamed = name_the_broken_function(assignment, report.results, calls)
    explain(assignment, report.results, seen, blamed)
    report.finish(assignment, time.perf_counter() - started)
    return report


def _provisional(
    assignment: Assignment, report: Report, calls: dict[str, Calls], rest: list[Case], points: dict[str, float], seconds: float
) -> Report:
    """The report so far, with every case not run yet failing: complete, valid at any moment."""
    partial = Report(assignment=report.assignment, submission=report.submission, max_score=report.max_score)
    partial.devices, partial.device_note, partial.notes = report.devices, report.device_note, list(report.notes)
    cut = "not run: grading was cut short before this case"
    partial.results = [dataclasses.replace(r) for r in report.results] + [_not_run(c, points[c.id], cut) for c in rest]
    gate_error_cases(partial.results, {**calls, **{c.id: Calls() for c in rest}})
    partial.finish(assignment, seconds)
    return partial
