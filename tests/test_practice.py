"""Students find their bugs before the deadline, and correct code never loses a point.

- ``python check.py --torch`` in every unzipped bundle: the solution passes every line, the
  starter and every mutant fail (mutants by name, in process), and without torch the student
  gets the install hint and the plain checks;
- each question's public checks catch at least a third of its mutants;
- no check relies on bit-exact floats (every solution, its float outputs perturbed, keeps full
  marks), and no check compares a float result with ``==``/``!=``;
- an empty answer never gains a point (a stub that raises ValueError everywhere scores 0).
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import ASSIGNMENTS, unzipped_bundle

from autograder import checklib
from autograder.grade import all_cases, grade_files, load_cases
from autograder.mutants import import_trusted, load_mutants, mutant_files, solution_files, starter_files

sys.path.insert(0, str(Path(__file__).parent))
from mutant_table import case_fails, load_practice, owner  # noqa: E402

PRACTISED = [a for a in ASSIGNMENTS if (a.directory / "tests" / "practice.py").is_file()]
MUTANTS = [(a, m) for a in PRACTISED for m in load_mutants(a)]
SEEDS = (0, 1, 2)


def trusted(a, files: dict[str, bytes], folder: Path) -> Any:
    return import_trusted({**a.support_files, **files}, folder, a.files, f"convlab_practice_{folder.name}_{a.short_name}")


def practice_failure(suite: checklib.PracticeSuite, student: Any, seeds: tuple[int, ...] = SEEDS) -> str | None:
    """The first practice failure on ``student`` (check title and message), or None."""
    for index, check in enumerate(suite.checks):
        for seed in seeds:
            try:
                _, failure = suite.run_check(index, student, seed)
            except Exception as exc:  # noqa: BLE001 - a crash is a catch too
                failure = f"{type(exc).__name__}: {exc}"
            if failure:
                return f"{check.title}: {failure}"
    return None


def test_every_question_has_a_public_check_and_every_assignment_practice_checks():
    assert PRACTISED == ASSIGNMENTS
    for a in ASSIGNMENTS:
        public = {c.question for c in load_cases(a, "public")}
        assert {q.id for q in a.questions} <= public, f"{a.name}: questions without a public check"
        assert load_practice(a).checks


@pytest.mark.parametrize("a", PRACTISED, ids=lambda a: a.short_name)
def test_practice_checks_pass_on_the_solution(a, tmp_path):
    solution = trusted(a, solution_files(a), tmp_path / "solution")
    failure = practice_failure(load_practice(a), solution, seeds=tuple(range(6)))
    assert failure is None, failure


@pytest.mark.parametrize("a", PRACTISED, ids=lambda a: a.short_name)
def test_practice_fails_on_the_starter(a, tmp_path):
    starter = trusted(a, starter_files(a), tmp_path / "starter")
    assert practice_failure(load_practice(a), starter, seeds=(0,)) is not None


@pytest.mark.parametrize("a,mutant", MUTANTS, ids=[f"{a.short_name}-{m.name}" for a, m in MUTANTS])
def test_practice_catches_mutant(a, mutant, tmp_path):
    """`check.py --torch` catches every mutant of the catalog (by name, in this test's id)."""
    student = trusted(a, mutant_files(a, mutant), tmp_path / mutant.name)
    assert practice_failure(load_practice(a), student) is not None, f"check.py --torch misses {mutant.name}: {mutant.summary}"


def _public_catches(a, files: dict[str, bytes], folder: Path) -> bool:
    """Does some public check fail on these files (stops at the first: hw4's training check is last)?"""
    student = trusted(a, files, folder)
    for case in load_cases(a, "public"):
        try:
            case.run(student)
        except Exception:  # noqa: BLE001
            return True
    return False


@pytest.mark.parametrize("a", ASSIGNMENTS, ids=lambda a: a.short_name)
def test_public_checks_catch_a_third_of_each_questions_mutants(a, tmp_path):
    """A mutant belongs to the question it breaks among those grading a function it redefines
    (``mutant_table.owner``: the closing note's table); that question's public checks must catch
    at least a third of its mutants."""
    owned: dict[str, list[bool]] = {}
    hidden = load_cases(a, "hidden")
    for mutant in load_mutants(a):
        files = mutant_files(a, mutant)
        defined = {n.name for n in ast.parse(mutant.source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        graders = [q.id for q in a.questions if defined & set(q.graded_functions)]
        failing: set[str] = set()
        if len(graders) > 1:  # only then does it matter which of them the mutant breaks
            student = trusted(a, files, tmp_path / f"{mutant.name}-hidden")
            failing = {c.question for c in hidden if c.question in graders and case_fails(c, student)}
        question = owner(a, mutant, failing)
        if question in graders:
            owned.setdefault(question, []).append(_public_catches(a, files, tmp_path / mutant.name))
    for question, caught in owned.items():
        assert 3 * sum(caught) >= len(caught), f"{a.name} {question}: public checks catch {sum(caught)} of {len(caught)} mutants"


# ---------------------------------------------------------------- check.py in the unzipped bundle


def check_py(folder: Path, *args: str, without_torch: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if without_torch:  # as on a laptop without PyTorch: importing it fails
        code = "import runpy, sys; sys.modules['torch'] = None; sys.argv = ['check.py', *sys.argv[1:]]; runpy.run_path('check.py', run_name='__main__')"
        command = [sys.executable, "-c", code, *args]
    else:
        command = [sys.executable, "check.py", *args]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, env=env, timeout=300)


@pytest.mark.parametrize("a", PRACTISED, ids=lambda a: a.short_name)
def test_check_py_torch_in_the_bundle(a, release, tmp_path):
    """Solution: every line passes. Starter and a mutant: they fail, by name. No torch: the hint."""
    solution = unzipped_bundle(a, release, tmp_path / "solution", solution_files(a))
    done = check_py(solution, "--torch", "--seed", "7")
    assert done.returncode == 0 and "FAIL" not in done.stdout, done.stdout[-3000:] + done.stderr[-2000:]
    assert "seed 7 (replay: python check.py --torch --seed 7)" in done.stdout
    assert "[vs " in done.stdout  # practice checks ran and compared with a library
    for q in a.questions:
        assert f"{q.id} {q.title}" in done.stdout
    assert not list(solution.rglob("__pycache__")), "check.py must leave no __pycache__ behind"
    # the starter: test_release runs the plain check.py on it; --torch on it: test_practice_fails_on_the_starter
    mutant = load_mutants(a)[0]
    broken = check_py(unzipped_bundle(a, release, tmp_path / "mutant", mutant_files(a, mutant)), "--torch", "--seed", "7")
    assert broken.returncode == 1 and "FAIL" in broken.stdout, f"{mutant.name}: {broken.stdout[-2000:]}"
    no_torch = check_py(solution, "--torch", without_torch=True)
    assert "pip install torch --index-url https://download.pytorch.org/whl/cpu" in no_torch.stdout, no_torch.stdout[-2000:]
    assert "[vs " not in no_torch.stdout
    needs_torch = [f for f in a.files if "torch" not in a.forbidden_for(f)]  # hw4's models.py
    if not needs_torch:
        assert no_torch.returncode == 0 and "FAIL" not in no_torch.stdout, no_torch.stdout[-2000:]
    else:  # the NumPy part is still checked; the PyTorch part says why it cannot be
        assert f"{needs_torch[0]} could not be imported" in no_torch.stdout, no_torch.stdout[-3000:]
        assert "q1 batchnorm2d_forward (15 points): PASS" in no_torch.stdout


def test_check_py_applies_the_import_rule_and_the_input_rule(release, tmp_path):
    from conftest import by_name

    hw1 = by_name("hw1")
    source = solution_files(hw1)["convolution.py"]
    source += b"\n\nimport scipy.signal  # noqa\n\n_conv = correlate2d\n\ndef correlate2d(image, kernel):\n    image[0, 0] += 0.0 * image[0, 0] + 1.0\n    return _conv(image - 1.0 * (np.arange(image.size).reshape(image.shape) == 0), kernel)\n"
    folder = unzipped_bundle(hw1, release, tmp_path / "rules", {"convolution.py": source})
    done = check_py(folder)
    assert done.returncode == 1
    lines = source.decode().splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith("import scipy"))
    assert f"FAIL import rule: convolution.py line {line}: imports scipy" in done.stdout
    assert "correlate2d modified its input argument(s) image in place" in done.stdout


# ---------------------------------------------------------------- floats, and empty answers


def _perturbed(value: Any, rng: np.random.Generator, scale: float = 1e-12) -> Any:
    """``value`` with every float array and float multiplied by (1 + noise), |noise| <= scale."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size:
        noise = np.random.default_rng(value.size).uniform(-scale, scale, value.shape)  # the same per shape
        return value * (1.0 + noise)
    if isinstance(value, float):
        return value * (1.0 + scale / 3)
    if isinstance(value, tuple):
        return tuple(_perturbed(v, rng, scale) for v in value)
    if isinstance(value, list):
        return [_perturbed(v, rng, scale) for v in value]
    if isinstance(value, dict):
        return {k: _perturbed(v, rng, scale) for k, v in value.items()}
    return value


class Perturbed:
    """A trusted module whose functions return their float results within 1e-12 of the truth."""

    def __init__(self, module: Any) -> None:
        self._module, self._rng = module, np.random.default_rng(0)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if isinstance(value, type) or not callable(value):
            return value
        return lambda *args, **kwargs: _perturbed(value(*args, **kwargs), self._rng)


@pytest.mark.parametrize("a", ASSIGNMENTS, ids=lambda a: a.short_name)
def test_no_check_relies_on_bit_exact_floats(a, tmp_path):
    """Every public and hidden case passes on the solution with its float outputs perturbed by a
    relative 1e-12 (what another summation order, an FFT, a float64 library could return),
    integer-valued examples included."""
    student = Perturbed(trusted(a, solution_files(a), tmp_path / "solution"))
    failed = []
    for case in all_cases(a):
        try:
            got = case.run(student)
            if case.reference is not None:
                checklib.assert_outputs(got, case.reference("cpu"), rtol=case.rtol, atol=case.atol, context=case.title)
        except Exception as exc:  # noqa: BLE001
            failed.append(f"{case.id}: {type(exc).__name__}: {str(exc)[:300]}")
    assert not failed, "\n".join(failed[:10])


REDUCTIONS = {"sum", "max", "min", "mean", "item", "float", "abs", "norm", "std", "var", "prod", "dot", "trace"}


def _array_value(expr: ast.AST) -> bool:
    """An expression that reads a computed value: an array element (``out[0, 0]``), a reduction
    (``x.sum()``, ``np.max(x)``, ``float(x)``) or arithmetic on one."""
    if isinstance(expr, ast.Subscript):
        return isinstance(expr.slice, (ast.Tuple, ast.Slice)) or _array_value(expr.value)
    if isinstance(expr, ast.Call):
        return getattr(expr.func, "attr", getattr(expr.func, "id", "")) in REDUCTIONS
    if isinstance(expr, ast.BinOp):
        return _array_value(expr.left) or _array_value(expr.right)
    return False


def _exact_comparisons(path: Path) -> list[str]:
    """``==``/``!=`` against a float literal, or between a computed array value and a number:
    the comparisons a correct float64 implementation could fail by a rounding."""
    found, lines = [], path.read_text().splitlines()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Compare) or not any(isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops):
            continue
        sides = [node.left, *node.comparators]
        floats = [s for s in sides if isinstance(s, ast.Constant) and type(s.value) is float]
        ints = [s for s in sides if isinstance(s, ast.Constant) and type(s.value) is int]
        values = [s for s in sides if _array_value(s)]
        if (floats or (ints and values)) and "# exact:" not in lines[node.lineno - 1]:
            found.append(f"{path.relative_to(path.parents[3])}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_float_results_are_never_compared_exactly():
    """No check (public, hidden, practice) compares a float result with == or != (write
    ``# exact: <why>`` on a line that compares ints the rule cannot see as ints)."""
    found = [hit for a in ASSIGNMENTS for path in sorted((a.directory / "tests").glob("*.py")) for hit in _exact_comparisons(path)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("a", ASSIGNMENTS, ids=lambda a: a.short_name)
def test_a_stub_that_raises_value_error_everywhere_scores_zero(a):
    """Passing the error cases alone earns nothing: they count once a function computes."""
    stub = {name: data.replace(b"raise NotImplementedError", b"raise ValueError") for name, data in starter_files(a).items()}
    report = grade_files(a, stub, "value-error-stub")
    assert report.score == 0, [(r.case_id, r.score) for r in report.results if r.score]
    gated = [r for r in report.results if r.message.startswith("not counted yet")]
    assert gated, "the error cases this stub passes should say why they do not count"


# ---------------------------------------------------------------- every run draws every hidden family


@pytest.mark.parametrize("a", PRACTISED, ids=lambda a: a.short_name)
def test_every_run_of_check_py_draws_every_hidden_family(a):
    """Per hidden check, the families its cases are drawn from (``family=`` labels: RGB networks,
    transposed layers with output_padding > padding...) are drawn by a practice check of the same
    question on every run: draw d of a check with families is of family d % len(families)."""
    practised: dict[str, set[str]] = {}
    for check in load_practice(a).checks:
        assert check.draws >= len(check.families), check.title
        practised.setdefault(check.question, set()).update(check.family(d) for d in range(check.draws) if check.families)
    hidden: dict[str, set[str]] = {}
    for case in load_cases(a, "hidden"):
        if case.family:
            hidden.setdefault(case.id.rsplit("/", 1)[0], set()).add(case.family)
    for check_id, families in hidden.items():
        question = check_id.split("/")[0]
        assert families <= practised.get(question, set()), f"{check_id}: hidden families {sorted(families)}, practised {sorted(practised.get(question, set()))}"
    labelled = {"hw5": {"q1", "q2", "q3", "q4", "q7"}, "hw6": {"q4", "q5", "q6", "q7"}}.get(a.short_name, set())
    assert labelled <= {c.split("/")[0] for c in hidden}


def _literal_dfull(st):
    """hw6's conv_transpose1d_backward with dfull of the full output's size only (§3's old words):
    it raises when output_padding > padding (dout is longer than the full output)."""

    def backward(dout, cache):
        x, w = cache[0], cache[1]
        full = (x.shape[-1] - 1) * cache[2][1] + cache[4][1] * (w.shape[-1] - 1) + 1
        np.zeros(dout.shape[:2] + (full,))[..., cache[3][1] : cache[3][1] + dout.shape[-1]] = dout
        return st.conv_transpose1d_backward(dout, cache)

    return type("Literal", (), {"conv_transpose1d_forward": staticmethod(st.conv_transpose1d_forward), "conv_transpose1d_backward": staticmethod(backward)})()


@pytest.mark.parametrize("name", ["hw5", "hw6"])
def test_a_bug_seen_only_in_one_family_fails_every_run(name, tmp_path):
    """hw5: a saliency reduced over the colour channels (keepdims: right on grayscale networks);
    hw6: a backward whose dfull is only as
    long as the full output. Each fails only in one family of inputs (RGB networks; output_padding
    > padding), and every run of check.py --torch catches it, whatever its seed."""
    a = next(x for x in PRACTISED if x.short_name == name)
    suite = load_practice(a)
    if name == "hw5":
        solution = trusted(a, solution_files(a), tmp_path / "solution")
        reduced = lambda params, images, targets: solution.saliency(params, images, targets).max(axis=1, keepdims=True)  # noqa: E731
        student, question = type("Reduced", (), {"saliency": staticmethod(reduced)})(), "q3"
    else:
        student, question = _literal_dfull(trusted(a, solution_files(a), tmp_path / "solution")), "q5"
    checks = [i for i, c in enumerate(suite.checks) if c.question == question and c.families]
    assert checks
    for seed in range(8):
        failures = []
        for i in checks:
            try:
                failures.append(suite.run_check(i, student, seed)[1])
            except Exception as exc:  # noqa: BLE001 - check.py reports a crash as a failure too
                failures.append(f"{type(exc).__name__}: {exc}")
        assert any(failures), f"seed {seed}: no practice check of {question} caught it"
