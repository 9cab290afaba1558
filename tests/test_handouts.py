"""The handouts say what the grader does: points tables equal assignment.toml, and the stated
limits equal the config and the recommended Gradescope container. Each check reads the
handout's own words, so a change to assignment.toml (or to the handout) that is not carried
to the other fails here."""

from __future__ import annotations

import re

import pytest
from conftest import ASSIGNMENTS

from autograder.config import ROOT

CONTAINER_MB = 768  # the README's recommended Gradescope resources (and the simulator's default)
GRADER_SHARE_MB = 200  # otter's run_otter.py and its kernel (the grader), measured by `make bench`
RESERVE_MB = 48  # what the worker's memory budget leaves the grader to write its results


def points_table(text: str) -> list[list[str]]:
    """The cells of the handout's first table whose header has 'question' and 'points'."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == "question" and cells[-1] == "points":
            rows = []
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                rows.append([c.strip() for c in row.strip().strip("|").split("|")])
            return rows
    raise AssertionError("no points table (| question | ... | points |)")


def limits_paragraph(text: str) -> str:
    match = re.search(r"\*\*Limits\.\*\*(.*?)(?:\n\n|\Z)", text, re.S)
    assert match, "no **Limits.** paragraph"
    return " ".join(match.group(1).split())


def number(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    assert match, f"the handout's limits do not say /{pattern}/: {text}"
    return int(match.group(1))


@pytest.mark.parametrize("a", ASSIGNMENTS, ids=lambda a: a.short_name)
def test_the_points_table_is_assignment_toml(a):
    rows = points_table((a.directory / "README.md").read_text(encoding="utf-8"))
    *questions, total = rows
    assert [r[0] for r in questions] == [q.id for q in a.questions], "questions differ from assignment.toml"
    for row, q in zip(questions, a.questions, strict=True):
        assert float(row[-1]) == q.points, f"{q.id}: the handout says {row[-1]} points, assignment.toml {q.points:g}"
        named = {n.rstrip("()") for n in re.findall(r"`([\w.()]+)`", row[1]) if not n.endswith(".py")}
        if q.graded_functions:
            assert named == set(q.graded_functions), f"{q.id}: the handout names {sorted(named)}, assignment.toml grades {q.graded_functions}"
    assert total[0] == "" and total[-1].strip("*") == f"{a.max_score:g}", f"total row {total}"


@pytest.mark.parametrize("a", ASSIGNMENTS, ids=lambda a: a.short_name)
def test_the_stated_limits_are_the_config_and_the_container(a):
    text = limits_paragraph((a.directory / "README.md").read_text(encoding="utf-8"))
    limits = a.limits
    assert number(r"Each call has \*\*(\d+) seconds\*\*", text) == limits.call_timeout
    assert number(r"[Ii]mporting your files? (?:\([^)]*\) )?has \*\*(\d+) seconds\*\*", text) == limits.import_timeout
    assert number(r"All your calls together have \*\*(\d+) seconds\*\*", text) == limits.time_budget
    assert number(r"may reserve up to \*\*(\d+) MB\*\*", text) == limits.memory_mb
    assert number(r"\*\*(\d+) MB\*\* container", text) == CONTAINER_MB
    # what the worker really gets on Gradescope: its budget is the container's free memory
    budget = min(limits.memory_mb, CONTAINER_MB - GRADER_SHARE_MB - RESERVE_MB)
    stated = number(r"leaves (?:it )?about \*\*(\d+) MB\*\*", text)
    assert budget - 100 <= stated <= budget, f"the handout says about {stated} MB are left on Gradescope; the grader allows {budget}"
    bold = {int(n) for n in re.findall(r"\*\*(\d+) MB\*\*", text)}
    assert bold <= {limits.memory_mb, CONTAINER_MB, stated}, f"unchecked memory figures {bold}"


def test_readme_names_the_bundles_without_a_notebook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"Every bundle except ([^.]*?) ships an `explore.ipynb`", " ".join(readme.split()))
    assert match, "the README's sentence about notebooks changed"
    stated = set(re.findall(r"hw\d+", match.group(1)))
    assert stated == {a.short_name for a in ASSIGNMENTS if not (a.directory / "explore.ipynb").is_file()}
    assert f"({CONTAINER_MB} MB, half a vCPU, 10 minutes)" in readme
