"""Every assignment's exploration notebook runs headless against the solution and draws real figures.

The notebook saves its figures as PNG into ``$CONVLAB_FIGURES`` (default ``figures/``); here that
is ``dist/figures/<assignment>/``. A cell error, a missing figure or an empty (uniform) figure fails.
"""

from __future__ import annotations

import os
import shutil

import matplotlib.image
import nbformat
import numpy as np
import pytest
from conftest import ASSIGNMENTS
from nbclient import NotebookClient

from autograder.config import ROOT
from autograder.mutants import solution_files

NOTEBOOKS = [(a, nb) for a in ASSIGNMENTS for nb in sorted(a.directory.glob("*.ipynb"))]


@pytest.mark.parametrize("assignment,notebook", NOTEBOOKS, ids=[f"{a.short_name}-{nb.stem}" for a, nb in NOTEBOOKS])
def test_notebook_runs_and_draws(assignment, notebook, tmp_path):
    for name, data in {**solution_files(assignment), **assignment.support_files}.items():
        (tmp_path / name).write_bytes(data)
    figures = ROOT / "dist" / "figures" / assignment.name
    shutil.rmtree(figures, ignore_errors=True)
    figures.mkdir(parents=True)
    nb = nbformat.read(notebook, as_version=4)
    os.environ["CONVLAB_FIGURES"] = str(figures)
    os.environ["MPLBACKEND"] = "Agg"
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    pngs = sorted(figures.glob("*.png"))
    assert pngs, "the notebook saved no figure"
    for png in pngs:
        pixels = matplotlib.image.imread(png)
        assert pixels.size > 10_000 and float(np.std(pixels)) > 0.01, f"{png.name} looks empty"
