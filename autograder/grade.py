"""Grade one submission: assignment config -> sandboxed worker -> cases -> report.

The trusted process (this one) holds the tests and the references; the submission runs only
in the worker behind ``StudentProxy``. Each case calls the student once; its outputs are
compared with the reference computed on every available device (CPU always, CUDA when
present). Points live on the CPU results; CUDA results are recorded with 0 points so a score
never depends on the grading machine.
"""

from __future__ import annotations

import contextlib
import importlib.util
import sys
import time
from typing import Any

from . import checklib, refkit
from .checklib import Case, CheckFailure
from .config import Assignment
from .proxy import StudentError, StudentProxy
from .report import CaseResult, Report
from .sandbox import default_hidden_paths

_REFERENCE_CACHE: dict[tuple[str, str, str], Any] = {}
_SUITE_CACHE: dict[tuple[str, str], list[Case]] = {}


def load_cases(assignment: Assignment, which: str) -> list[Case]:
    """Import ``tests/public.py`` or ``tests/hidden.py`` of an assignment and return its cases."""
    key = (str(assignment.directory), which)
    if key not in _SUITE_CACHE:
        path = assignment.directory / "tests" / f"{which}.py"
        sys.modules.setdefault("checklib", checklib)  # tests import it as students do
        sys.modules.setdefault("refkit", refkit)  # the hidden tests' shared PyTorch helpers
        spec = importlib.util.spec_from_file_location(f"convlab_tests_{assignment.name}_{which}", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
        _SUITE_CACHE[key] = module.suite.cases
    return _SUITE_CACHE[key]


def available_devices() -> tuple[list[str], str | None]:
    """The devices references are computed on, and why CUDA is skipped (None if it is not)."""
    import torch

    if torch.cuda.is_available():
        return ["cpu", "cuda"], None
    return ["cpu"], "CUDA is not available on this grading machine: references computed on CPU only"


def _reference(assignment: Assignment, case: Case, device: str) -> dict:
    key = (assignment.name, case.id, device)
    if key not in _REFERENCE_CACHE:
        _REFERENCE_CACHE[key] = case.reference(device)
    return _REFERENCE_CACHE[key]


def case_points(assignment: Assignment, cases: list[Case]) -> dict[str, float]:
    """Split each question's points over its cases, proportionally to their weights."""
    totals: dict[str, float] = {}
    for case in cases:
        totals[case.question] = totals.get(case.question, 0.0) + case.weight
    return {c.id: assignment.question(c.question).points * c.weight / totals[c.question] for c in cases}


class _Recorder:
    """Wraps the student object to record which functions a check calls (for diagnoses)."""

    def __init__(self, student: Any) -> None:
        self._student, self.called = student, set()

    def __getattr__(self, name: str) -> Any:
        self.called.add(name)
        return getattr(self._student, name)


def run_case(assignment: Assignment, case: Case, student: Any, points: float, devices: list[str]) -> list[CaseResult]:
    """Run one case against ``student`` (a proxy or a module); one result per device."""

    def result(device: str, passed: bool, message: str, diagnosis: str = "") -> CaseResult:
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
            diagnosis=diagnosis,
        )

    legs = devices if case.reference is not None else ["cpu"]
    recorder = _Recorder(student)
    deadline = student.deadline(case.timeout) if hasattr(student, "deadline") else contextlib.nullcontext()
    try:
        with deadline:
            got = case.run(recorder)
    except StudentError as exc:
        return [result(d, False, str(exc)) for d in legs]
    except CheckFailure as exc:
        name, line = _explain(assignment, case, recorder.called, failure=str(exc))
        message = f"{exc}\n{line}" if line else str(exc)
        return [result(d, False, message, name) for d in legs]
    except Exception as exc:  # noqa: BLE001 - the student's return value broke the check
        message = f"{case.context}: unexpected result ({type(exc).__name__}: {exc})"
        return [result(d, False, message) for d in legs]
    if case.reference is None:
        return [result("cpu", True, "passed")]
    results, explained = [], None
    for device in devices:
        try:
            expected = _reference(assignment, case, device)
            checklib.assert_outputs(got or {}, expected, rtol=case.rtol, atol=case.atol, context=case.context)
            results.append(result(device, True, "passed"))
        except CheckFailure as exc:
            if explained is None:
                explained = _explain(assignment, case, recorder.called, got=got, expected=expected)
            name, line = explained
            results.append(result(device, False, f"{exc}\n{line}" if line else str(exc), name))
    return results


def _explain(
    assignment: Assignment, case: Case, called: set[str], got: Any = None, expected: dict | None = None, failure: str | None = None
) -> tuple[str, str]:
    """(diagnosis name, "Likely cause: ..." line) for a failed case, or empty strings.

    A compared case passes ``got``/``expected``; a check that failed by itself passes its message.
    """
    from .diagnose import diagnose, shape_hint

    signature = diagnose(assignment, case, got, called, failure=failure)
    if signature is not None:
        return signature.name, f"Likely cause: {signature.explanation}"
    hint = shape_hint(got, expected) if expected is not None else None
    return ("shape mismatch", f"Likely cause: {hint}.") if hint else ("", "")


def all_cases(assignment: Assignment) -> list[Case]:
    return load_cases(assignment, "public") + load_cases(assignment, "hidden")


def grade_files(
    assignment: Assignment, files: dict[str, bytes], submission: str = "submission", hide: list[str] | None = None
) -> Report:
    """Grade a submission given as its files (name -> bytes) in a fresh sandboxed worker.

    ``hide``: extra paths the worker must not see, besides the defaults and the assignment folder.
    """
    started = time.perf_counter()
    cases = all_cases(assignment)
    points = case_points(assignment, cases)
    devices, cuda_note = available_devices()
    report = Report(assignment=assignment.name, submission=submission, max_score=assignment.max_score)
    report.devices = devices
    report.device_note = cuda_note or ""
    missing = [f for f in assignment.files if f not in files]
    if missing:
        report.notes.append(f"missing file(s): {', '.join(missing)}")
    submitted = {name: data for name, data in files.items() if name in assignment.files}
    proxy = StudentProxy(
        {**submitted, **assignment.support_files},
        [m for m, f in zip(assignment.modules, assignment.files, strict=True) if f in files],
        opaque=assignment.opaque_returns,
        limits=assignment.limits,
        forbidden_imports=assignment.forbidden_imports,
        hide=default_hidden_paths() + [str(assignment.directory)] + list(hide or []),
        missing_files=missing,
        adapters=assignment.adapters,
    )
    with proxy:
        if proxy.import_error:
            report.error = proxy.import_error
        elif proxy.module_errors:
            report.error = "\n".join(proxy.module_errors.values())
        for case in cases:
            report.results.extend(run_case(assignment, case, proxy, points[case.id], devices))
    report.output = proxy.output
    report.finish(assignment, time.perf_counter() - started)
    return report
