"""The mutant catalog: realistic buggy variants of an assignment's solution.

A mutant is a file ``assignments/<hw>/mutants/<name>.py`` whose module docstring names the
misconception (first line) and explains it to a student (the rest), followed by function
definitions that replace the solution's. The buggy submission is the solution file with the
mutant appended, so the catalog stores only the bug itself. An optional line
``# target: <file>`` picks which submitted file is mutated (default: the first).
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Assignment


@dataclass(frozen=True)
class Mutant:
    name: str
    summary: str
    explanation: str
    target: str
    source: str


def load_mutants(assignment: Assignment) -> list[Mutant]:
    mutants = []
    for path in sorted((assignment.directory / "mutants").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(source)) or ""
        summary, _, explanation = doc.partition("\n")
        target = assignment.files[0]
        for line in source.splitlines():
            if line.startswith("# target:"):
                target = line.split(":", 1)[1].strip()
        mutants.append(Mutant(path.stem, summary.strip(), explanation.strip(), target, source))
    return mutants


def solution_files(assignment: Assignment) -> dict[str, bytes]:
    return {name: (assignment.solution_dir / name).read_bytes() for name in assignment.files}


def starter_files(assignment: Assignment) -> dict[str, bytes]:
    return {name: (assignment.starter_dir / name).read_bytes() for name in assignment.files}


def mutant_files(assignment: Assignment, mutant: Mutant) -> dict[str, bytes]:
    """The submission files of a mutant: the solution with the mutant's definitions appended."""
    files = solution_files(assignment)
    files[mutant.target] = files[mutant.target] + f"\n\n# ---- mutant: {mutant.name}\n".encode() + mutant.source.encode()
    return files


@contextlib.contextmanager
def private_imports(folder: Path, names: list[str]):
    """Import modules from ``folder`` without meeting another assignment's same-named modules.

    Two assignments may ship a ``layers.py``: the ones cached in ``sys.modules`` are set aside
    while importing from ``folder``, then put back.
    """
    saved = {n: sys.modules.pop(n) for n in names if n in sys.modules}
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for n in names:
            sys.modules.pop(n, None)
        sys.modules.update(saved)


def import_trusted(files: dict[str, bytes], folder: Path, gather: list[str], prefix: str) -> Any:
    """Import staff code (a solution, a mutant) in this process, never a student's.

    ``files`` are written to ``folder``; the public names of the modules in ``gather`` are
    collected into one namespace, shaped like the object a check receives as ``student``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    namespace = type("Trusted", (), {})()
    with private_imports(folder, [Path(n).stem for n in files if n.endswith(".py")]):
        for name in gather:
            spec = importlib.util.spec_from_file_location(f"{prefix}_{Path(name).stem}", folder / name)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            for attr in dir(module):
                if not attr.startswith("_"):
                    setattr(namespace, attr, getattr(module, attr))
    return namespace


def write_submission(files: dict[str, bytes], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return directory
