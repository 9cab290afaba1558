"""Name the misconception, not just the failure.

Each assignment's mutant catalog (``assignments/<hw>/mutants/``) doubles as its catalog of
*signatures*: a mutant is a realistic bug, implemented, with a student-facing explanation. When
a case fails, the trusted grader re-runs the same check against every mutant that redefines a
function the check called (in this process: mutants are our own code; student code is never
run again) and compares the student's outputs with the mutant's using the check's tolerance.
Exactly one match gives a "Likely cause:" line; several matches give the one with the highest
``# priority:`` if it is unique, else nothing. Shape mismatches also get a cheap hint computed
from the shapes alone. Diagnoses only run after a failure, so a correct submission pays nothing.
"""

from __future__ import annotations

import ast
import atexit
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .checklib import Case, CheckFailure
from .config import Assignment
from .mutants import Mutant, import_trusted, load_mutants, mutant_files


@dataclass
class Signature:
    """A named misconception: the mutant that implements it and what to tell the student."""

    name: str
    explanation: str
    functions: set[str]
    priority: int
    module: Any = field(default=None, repr=False)


_CATALOGS: dict[str, list[Signature]] = {}


def _defined_functions(source: str) -> set[str]:
    """The functions and classes a mutant redefines (a class: e.g. a student's nn.Module)."""
    return {n.name for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def _import_mutant(assignment: Assignment, mutant: Mutant, workdir: Path) -> Any:
    """Import the mutant (solution + bug) in this process: trusted code, written by staff."""
    files = {**assignment.support_files, **mutant_files(assignment, mutant)}
    return import_trusted(files, workdir / mutant.name, assignment.files, f"convlab_mutant_{assignment.name}_{mutant.name}")


def signatures(assignment: Assignment) -> list[Signature]:
    """The assignment's signature catalog, imported once per process."""
    if assignment.name not in _CATALOGS:
        workdir = Path(tempfile.mkdtemp(prefix="convlab-signatures-"))
        atexit.register(shutil.rmtree, workdir, True)
        catalog = []
        for mutant in load_mutants(assignment):
            priority = 0
            for line in mutant.source.splitlines():
                if line.startswith("# priority:"):
                    priority = int(line.split(":", 1)[1])
            catalog.append(
                Signature(
                    name=mutant.name,
                    explanation=" ".join(mutant.explanation.split()),
                    functions=_defined_functions(mutant.source),
                    priority=priority,
                    module=_import_mutant(assignment, mutant, workdir),
                )
            )
        _CATALOGS[assignment.name] = catalog
    return _CATALOGS[assignment.name]


def _same(got: Any, theirs: Any, rtol: float, atol: float) -> bool:
    """The check's comparison, except that NaN matches NaN (an unstable softmax is a signature)."""
    if isinstance(theirs, np.ndarray):
        return (
            isinstance(got, np.ndarray)
            and got.shape == theirs.shape
            and got.dtype == theirs.dtype
            and bool(np.allclose(got, theirs, rtol=rtol, atol=atol, equal_nan=True))
        )
    if isinstance(theirs, float) and isinstance(got, float) and np.isnan(theirs) and np.isnan(got):
        return True
    return type(got) is type(theirs) and bool(got == theirs)


def _matches(signature: Signature, case: Case, got: dict) -> bool:
    try:
        theirs = case.run(signature.module)
        return isinstance(theirs, dict) and theirs.keys() == got.keys() and all(
            _same(got[k], theirs[k], case.rtol, case.atol) for k in theirs
        )
    except Exception:  # noqa: BLE001 - a signature that crashes does not match
        return False


def _fails_alike(signature: Signature, case: Case, message: str) -> bool:
    """For a check that asserts by itself: does the signature fail it with the same message?"""
    try:
        case.run(signature.module)
    except CheckFailure as exc:
        return str(exc) == message
    except Exception:  # noqa: BLE001
        return False
    return False


def diagnose(
    assignment: Assignment, case: Case, got: Any, called: set[str], failure: str | None = None
) -> Signature | None:
    """The one misconception whose implementation reproduces the student's outputs (or, for a
    self-asserting check, its failure message), or None."""
    candidates = [s for s in signatures(assignment) if s.functions & called]
    if failure is not None:
        found = [s for s in candidates if _fails_alike(s, case, failure)]
    elif isinstance(got, dict) and got:
        found = [s for s in candidates if _matches(s, case, got)]
    else:
        return None
    return _pick(found)


def _pick(found: list[Signature]) -> Signature | None:
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        top = max(s.priority for s in found)
        best = [s for s in found if s.priority == top]
        return best[0] if len(best) == 1 else None
    return None


def shape_hint(got: Any, expected: dict) -> str | None:
    """A hint from shapes alone, e.g. swapped axes or rows missing (no extra computation)."""
    if not isinstance(got, dict):
        return None
    for key, exp in expected.items():
        value = got.get(key)
        shape, want = getattr(value, "shape", None), getattr(exp, "shape", None)
        if shape is None or want is None or shape == want:
            continue
        if len(shape) == len(want) >= 2 and shape[:-2] + shape[-1:] + shape[-2:-1] == want:
            return f"{key} has its last two axes swapped (rows and columns exchanged)"
        if len(shape) == len(want) and len(shape) >= 2:
            dh, dw = shape[-2] - want[-2], shape[-1] - want[-1]
            words = []
            if dh:
                words.append(f"{abs(dh)} row{'s' if abs(dh) > 1 else ''} {'short' if dh < 0 else 'too many'}")
            if dw:
                words.append(f"{abs(dw)} column{'s' if abs(dw) > 1 else ''} {'short' if dw < 0 else 'too many'}")
            if words and shape[:-2] == want[:-2]:
                return f"{key} is {' and '.join(words)}: check the padding, stride and dilation in the output size"
    return None
