"""Shared fixtures: the assignments, their solution/starter files, a private temp dir."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest
import torch

from autograder.config import ROOT, all_assignments

torch.set_num_threads(1)
os.environ.setdefault("TMPDIR", str(ROOT / ".tmp"))
Path(os.environ["TMPDIR"]).mkdir(exist_ok=True)

ASSIGNMENTS = all_assignments()


@pytest.fixture(params=ASSIGNMENTS, ids=lambda a: a.short_name)
def assignment(request):
    return request.param


def by_name(name: str):
    return next(a for a in ASSIGNMENTS if name in (a.name, a.short_name))


@functools.cache
def graded_mutant(assignment_name: str, mutant_name: str):
    """The report of one mutant, graded once per test process (several tests read it)."""
    from autograder.grade import grade_files
    from autograder.mutants import load_mutants, mutant_files

    a = by_name(assignment_name)
    mutant = next(m for m in load_mutants(a) if m.name == mutant_name)
    return grade_files(a, mutant_files(a, mutant), mutant.name)


@pytest.fixture(scope="session")
def release(tmp_path_factory):
    """``release(a) -> (student bundle, autograder zip)``, built on first use, so that
    ``pytest -k hwN`` builds only that assignment's zips (once per test process)."""
    from autograder.release import build_autograder_zip, build_student_bundle

    dist, built = tmp_path_factory.mktemp("dist"), {}

    def get(a):
        if a.name not in built:
            built[a.name] = (build_student_bundle(a, dist), build_autograder_zip(a, dist))
        return built[a.name]

    return get


def zip_engine_env(zip_path: Path, folder: Path) -> dict[str, str]:
    """An environment in which only the zip's copy of the engine is importable (as on Gradescope):
    the zip's ``files/convlab`` first on PYTHONPATH, ahead of the checkout."""
    import zipfile

    with zipfile.ZipFile(zip_path) as zf:
        for member in zf.namelist():
            if member.startswith("files/convlab/"):
                zf.extract(member, folder)
    return dict(os.environ, PYTHONPATH=str(folder / "files" / "convlab"))
