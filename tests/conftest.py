"""Shared fixtures: the assignments, their solution/starter files, a private temp dir."""

from __future__ import annotations

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
