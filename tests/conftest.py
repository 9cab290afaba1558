"""Shared fixtures: the assignments, their solution/starter files, a private temp dir."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest
import torch

from autograder.config import ROOT, all_assignments
from autograder.gradescope import zip_engine_env  # noqa: F401 - tests import it from here

torch.set_num_threads(1)
os.environ.setdefault("TMPDIR", str(ROOT / ".tmp"))
Path(os.environ["TMPDIR"]).mkdir(exist_ok=True)

ASSIGNMENTS = all_assignments()

# Scheduling for the xdist workers (a test's result never depends on it): the longest tests
# start first, and the tests that read every mutant's graded report come last, once the
# parametrized ``test_mutant_is_caught`` cases, spread over the workers, have graded them.
FIRST = ("test_100_submissions_nothing_lost", "test_batch_survives_every_attack", "test_simulator_grades_other_upload_shapes")
LAST = ("test_every_hidden_check_catches_some_mutant", "test_mutant_catalog_is_diagnosed")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = getattr(item, "originalname", item.name)
        return 0 if name in FIRST else 2 if name in LAST else 1

    items.sort(key=rank)  # stable: the usual order otherwise


@pytest.fixture(params=ASSIGNMENTS, ids=lambda a: a.short_name)
def assignment(request):
    return request.param


def by_name(name: str):
    return next(a for a in ASSIGNMENTS if name in (a.name, a.short_name))


def shared_dir(name: str) -> Path:
    """A folder shared by the xdist workers of this test run only (a later run starts afresh)."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"run-{os.getpid()}")
    path = Path(os.environ["TMPDIR"]) / "pytest-shared" / run / name
    path.mkdir(parents=True, exist_ok=True)
    return path


@functools.cache
def graded_mutant(assignment_name: str, mutant_name: str):
    """The report of one mutant, graded once per test run (several tests, in several xdist
    workers, read it: the first grades it, the others read its report)."""
    import json

    from filelock import FileLock

    from autograder.grade import grade_files
    from autograder.mutants import load_mutants, mutant_files
    from autograder.report import Report

    path = shared_dir("graded-mutants") / f"{assignment_name}-{mutant_name}.json"
    with FileLock(f"{path}.lock"):
        if path.is_file():
            return Report.from_dict(json.loads(path.read_text()))
        a = by_name(assignment_name)
        mutant = next(m for m in load_mutants(a) if m.name == mutant_name)
        report = grade_files(a, mutant_files(a, mutant), mutant.name)
        path.write_text(json.dumps(report.to_dict()))
        return report


@pytest.fixture(scope="session")
def release():
    """``release(a) -> (student bundle, autograder zip)``, built on first use, so that
    ``pytest -k hwN`` builds only that assignment's zips, once per test run (the xdist workers
    share them)."""
    from filelock import FileLock

    from autograder.release import build_autograder_zip, build_student_bundle

    def get(a):
        dist = shared_dir("release") / a.name
        bundle, zip_path = dist / "student" / f"{a.name}.zip", dist / "autograder" / f"{a.name}-autograder.zip"
        with FileLock(f"{dist}.lock"):
            if not (bundle.is_file() and zip_path.is_file()):
                build_student_bundle(a, dist)
                build_autograder_zip(a, dist)
        return bundle, zip_path

    return get


def unzipped_bundle(a, release, target: Path, files: dict[str, bytes]) -> Path:
    """The student bundle of ``a`` unzipped into ``target``, with ``files`` (the student's) in it."""
    import zipfile

    with zipfile.ZipFile(release(a)[0]) as zf:
        zf.extractall(target)
    folder = target / a.name
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def student_upload(files: dict[str, bytes], folder: Path) -> Path:
    """What a student uploads, written into ``folder``: the file itself, or (several files)
    check.py's zip, a stub plus ``convlab_files/``."""
    import zipfile

    from autograder.otter_plugin import MULTI_FILE_FOLDER, MULTI_FILE_STUB

    if len(files) == 1:
        ((name, data),) = files.items()
        (folder / name).write_bytes(data)
        return folder / name
    with zipfile.ZipFile(folder / "submission.zip", "w") as zf:
        zf.writestr(MULTI_FILE_STUB, f"# ConvLab: the submitted files are in {MULTI_FILE_FOLDER}/\n")
        for name, data in files.items():
            zf.writestr(f"{MULTI_FILE_FOLDER}/{name}", data)
    return folder / "submission.zip"
