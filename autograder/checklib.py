"""The test-authoring API shared by public and hidden tests: a suite of cases and comparators.

Tests are written once against a ``student`` object that has the submission's functions as
attributes. In the grader that object is a proxy to the sandboxed worker; in a student's
``python check.py`` it is the imported module itself. This module is shipped to students as
``checklib.py``, so it needs only NumPy.

A check is a function ``check(student, param) -> outputs``. Either it asserts by itself (public
tests, which have no reference), or it returns a dict of named outputs that the grader compares
with the dict the attached reference returns for the same ``param`` on each device.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DEFAULT_RTOL = 1e-7
DEFAULT_ATOL = 1e-9


class CheckFailure(AssertionError):
    """A check failed; the message is shown to the student as it is."""


# ---------------------------------------------------------------- comparators


def _kind(value: Any) -> str:
    if hasattr(value, "type_name"):  # the grader's wire.Opaque: a value that cannot cross
        return f"value the grader cannot read ({value.type_name}; only numeric arrays and plain values cross)"
    if isinstance(value, np.ndarray):
        return f"numpy array of dtype {value.dtype}"
    return type(value).__name__


def assert_array(
    name: str,
    got: Any,
    expected: np.ndarray,
    *,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
    context: str = "",
) -> None:
    """Check ``got`` against ``expected``: exists, ndarray, shape, dtype, finite, values.

    Raises ``CheckFailure`` at the first rung that fails, with a one-line got/expected message.
    """
    where = f"{context}: " if context else ""
    if got is None:
        raise CheckFailure(f"{where}{name} is None (did the function return its result?)")
    if not isinstance(got, np.ndarray) or type(got) is not np.ndarray:
        raise CheckFailure(f"{where}{name} is a {_kind(got)}, expected a numpy.ndarray")
    if got.shape != expected.shape:
        raise CheckFailure(f"{where}{name} has shape {got.shape}, expected {expected.shape}")
    if expected.dtype.kind == "f" and got.dtype != expected.dtype:
        raise CheckFailure(f"{where}{name} has dtype {got.dtype}, expected {expected.dtype}")
    if got.dtype.kind in "fc" and not np.all(np.isfinite(got)):
        bad = int(np.size(got) - np.count_nonzero(np.isfinite(got)))
        raise CheckFailure(f"{where}{name} contains {bad} NaN or infinite value(s)")
    diff = np.abs(got.astype(np.float64) - expected.astype(np.float64))
    bad = diff > atol + rtol * np.abs(expected)
    if np.any(bad):
        worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
        raise CheckFailure(
            f"{where}{name} values differ: {int(bad.sum())} of {bad.size} entries wrong, "
            f"max abs error {float(diff.max()):.3g} at index {tuple(int(i) for i in worst)}"
        )


def _value_problem(got: Any, expected: Any, path: str, rtol: float, atol: float) -> str | None:
    """Why ``got`` is not ``expected`` (None if it is): types first, then values.

    An int must come back as a Python int or a NumPy integer (never a float or a bool), a float
    within the tolerance (an int is accepted), tuples/lists/dicts element by element.
    """
    if isinstance(expected, (bool, np.bool_)):
        ok = isinstance(got, (bool, np.bool_)) and bool(got) == bool(expected)
        return None if ok else f"{path} is {got!r} ({_kind(got)}), expected {expected!r}"
    if isinstance(expected, (int, np.integer)):
        if not isinstance(got, (int, np.integer)) or isinstance(got, (bool, np.bool_)):
            return f"{path} is {got!r} ({_kind(got)}), expected an int ({int(expected)!r})"
        return None if int(got) == int(expected) else f"{path} is {int(got)!r}, expected {int(expected)!r}"
    if isinstance(expected, (float, np.floating)):
        if not isinstance(got, (int, float, np.integer, np.floating)) or isinstance(got, (bool, np.bool_)):
            return f"{path} is {got!r} ({_kind(got)}), expected a float ({float(expected)!r})"
        value, want = float(got), float(expected)
        if np.isnan(want):
            return None if np.isnan(value) else f"{path} is {value!r}, expected NaN"
        close = np.isfinite(value) and abs(value - want) <= atol + rtol * abs(want)
        return None if close or value == want else f"{path} is {value!r}, expected {want!r} (error {abs(value - want):.3g})"
    if isinstance(expected, (tuple, list)):
        if type(got) is not type(expected):
            return f"{path} is {got!r} ({_kind(got)}), expected a {type(expected).__name__}: {expected!r}"
        if len(got) != len(expected):
            return f"{path} has {len(got)} items, expected {len(expected)}: {expected!r}"
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            problem = _value_problem(g, e, f"{path}[{i}]", rtol, atol)
            if problem:
                return problem
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"{path} is {got!r}, expected a dict with keys {sorted(map(str, expected))}"
        for key in expected:
            problem = _value_problem(got[key], expected[key], f"{path}[{key!r}]", rtol, atol)
            if problem:
                return problem
        return None
    if isinstance(expected, str):
        return None if isinstance(got, str) and got == expected else f"{path} is {got!r} ({_kind(got)}), expected {expected!r}"
    if expected is None:
        return None if got is None else f"{path} is {got!r}, expected None"
    ok = type(got) is type(expected) and got == expected
    return None if ok else f"{path} is {got!r} ({_kind(got)}), expected {expected!r}"


def assert_value(
    name: str, got: Any, expected: Any, *, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL, context: str = ""
) -> None:
    """Check a plain value (an int, a float, a bool, a string, a tuple/list/dict of them).

    Types are part of the contract: an int must be an int (``3.0`` is not ``3``); floats are
    compared within ``rtol``/``atol``, never exactly.
    """
    where = f"{context}: " if context else ""
    problem = _value_problem(got, expected, name, rtol, atol)
    if problem:
        raise CheckFailure(f"{where}{problem}")


def assert_outputs(got: dict, expected: dict, *, rtol: float, atol: float, context: str) -> None:
    """Compare every named output of a check with the reference's."""
    for key, exp in expected.items():
        if isinstance(exp, np.ndarray):
            assert_array(key, got.get(key), exp, rtol=rtol, atol=atol, context=context)
        else:
            assert_value(key, got.get(key), exp, rtol=rtol, atol=atol, context=context)


class Raised(str):
    """The name of the exception type a call raised, compared along its class hierarchy.

    ``raised(...) == "ValueError"`` holds for a ValueError and for any subclass of it (as
    ``isinstance`` would); ``str()`` is the actual type's name, for messages.
    """

    def __new__(cls, name: str, bases: tuple[str, ...] = ()) -> "Raised":
        obj = super().__new__(cls, name)
        obj.bases = tuple(bases) or (name,)
        return obj

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and (str.__eq__(self, other) or str(other) in self.bases)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__


def raised(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Raised | None:
    """Call ``fn`` and return the exception type it raised (a ``Raised``), or None.

    Works on the module itself and on the grader's proxy, whose errors carry ``etype`` (and the
    names of its base classes) only when student code raised; timeouts and crashes propagate.
    """
    try:
        fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001
        if hasattr(exc, "etype"):
            if exc.etype is None:
                raise
            return Raised(exc.etype, tuple(getattr(exc, "bases", ()) or ()))
        if isinstance(exc, NotImplementedError):
            raise
        return Raised(type(exc).__name__, tuple(c.__name__ for c in type(exc).__mro__))
    return None


def raised_with_message(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Raised | None, str]:
    """Call ``fn``: (what ``raised`` gives, the last line of the exception's message, or "")."""
    message: list[str] = []

    def call() -> None:
        try:
            fn(*args, **kwargs)
        except Exception as exc:
            lines = str(exc).strip().splitlines()
            message.append(lines[-1] if lines else "")
            raise

    etype = raised(call)
    return etype, message[0] if etype is not None else ""


def release_workers(student: Any) -> None:
    """Say that a check has all the evidence it needs from the student: the grader frees the
    workers' memory now (before heavy work of its own, e.g. loading torch); a later call starts
    them again. Nothing happens when ``student`` is a module (check.py, in-process tests)."""
    release = getattr(student, "_convlab_release", None)
    if callable(release):
        release()


def expect_tuple(fn_name: str, result: Any, length: int) -> tuple:
    """Unpack a student's tuple return value, failing clearly if it is not one."""
    if not isinstance(result, tuple) or len(result) != length:
        raise CheckFailure(
            f"{fn_name} must return a tuple of {length} values, got {_kind(result)}"
            + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
        )
    return result


def numeric_gradient(f: Callable[[np.ndarray], float], value: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Centred finite differences of the scalar function ``f`` at ``value`` (f gets a copy)."""
    grad = np.zeros_like(value)
    for index in np.ndindex(value.shape):
        plus, minus = value.copy(), value.copy()
        plus[index] += h
        minus[index] -= h
        grad[index] = (f(plus) - f(minus)) / (2 * h)
    return grad


def check_layer_gradients(
    student: Any, forward: str, backward: str, x_shape: tuple, w_shape: tuple, bias_size: int, kwargs: dict,
    *, h: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-6,
) -> None:
    """Compare a layer's ``backward(g, cache) -> (dx, dw, db)`` with centred finite differences
    of ``L = sum(forward(x, w, b, **kwargs)[0] * g)`` (seeded inputs; a public self-check)."""
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(bias_size)
    out, cache = expect_tuple(forward, getattr(student, forward)(x, w, b, **kwargs), 2)
    g = rng.standard_normal(np.shape(out))
    grads = dict(zip(("dx", "dw", "db"), expect_tuple(backward, getattr(student, backward)(g, cache), 3), strict=True))
    inputs = {"dx": x, "dw": w, "db": b}

    def loss(name: str, moved: np.ndarray) -> float:
        args = {**inputs, name: moved}
        return float(np.sum(getattr(student, forward)(args["dx"], args["dw"], args["db"], **kwargs)[0] * g))

    for name, value in inputs.items():
        numeric = numeric_gradient(lambda moved, name=name: loss(name, moved), value, h)
        assert_array(name, grads[name], numeric, rtol=rtol, atol=atol, context=f"{backward} vs finite differences (x {x_shape}, w {w_shape}, {kwargs})")


# ---------------------------------------------------------------- suites and cases


@dataclass
class Case:
    """One graded case: a check applied to one parameter (one row of the gradebook's detail)."""

    id: str
    question: str
    title: str
    hidden: bool
    weight: float
    run: Callable[[Any], Any]
    reference: Callable[[str], dict] | None = None
    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL
    context: str = ""
    timeout: float | None = None  # seconds per call in this case (default: the assignment's)
    size_rules: tuple[str, ...] = ()  # the output-size mistakes that apply to this function (feedback)
    geometry: Callable[[], dict] | None = None  # this case's output-size formula and parameters (feedback)
    family: str = ""  # the family of inputs it is drawn from (e.g. "rgb"): practice checks draw every one

    def __repr__(self) -> str:
        return f"Case({self.id!r}, hidden={self.hidden})"


@dataclass
class CheckGroup:
    """The cases that one decorated check function produced, to attach a reference to."""

    cases: list[Case] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def reference(self, fn: Callable[[Any, str], dict]) -> Callable[[Any, str], dict]:
        """Attach ``fn(param, device) -> outputs`` as the reference of every case of the check."""
        for case, param in zip(self.cases, self.params, strict=True):
            case.reference = lambda device, p=param: fn(p, device)
        return fn


class Suite:
    """An ordered collection of cases, filled by the ``check`` decorator."""

    def __init__(self, hidden: bool) -> None:
        self.hidden = hidden
        self.cases: list[Case] = []

    def check(
        self,
        question: str,
        params: list[Any] | None = None,
        *,
        title: str | None = None,
        weight: float = 1.0,
        rtol: float = DEFAULT_RTOL,
        atol: float = DEFAULT_ATOL,
        timeout: float | None = None,
        size_rules: tuple[str, ...] = (),
        geometry: Callable[[Any], dict] | None = None,
        family: Callable[[Any], str] | None = None,
    ) -> Callable[[Callable], CheckGroup]:
        """Register ``fn(student, param)`` once per param as cases of ``question``.

        ``weight``: the share of the question's points; ``weight=0`` makes a check that only
        ``check.py`` runs (the grader skips it).

        ``timeout`` overrides the assignment's per-call time limit for these cases (e.g. a
        training run); ``rtol``/``atol`` are the comparison tolerances against the reference.

        ``size_rules`` and ``geometry(param)`` only shape the grader's feedback on a wrong output
        shape: the output-size mistakes that apply to this function (e.g. ``("ceil", "no
        padding")``) and the case's size formula with each spatial axis' parameters, e.g.
        ``{"formula": "conv", "axes": [{"n": 7, "k": 3, "s": 2, "p": 1, "d": 1}], "outputs": ["out"]}``.

        ``family(param)`` labels the family of inputs a case is drawn from (e.g. ``"rgb"``): every
        run of ``check.py --torch`` draws each family its question's hidden cases have.
        """

        def register(fn: Callable) -> CheckGroup:
            group = CheckGroup()
            for index, param in enumerate(params if params is not None else [None]):
                label = "" if param is None else f"[{param}]"
                name = title or fn.__name__
                case = Case(
                    id=f"{question}/{'hidden' if self.hidden else 'public'}/{fn.__name__}/{index}",
                    question=question,
                    title=f"{name}{label}",
                    hidden=self.hidden,
                    weight=weight,
                    run=lambda student, p=param: fn(student, p),
                    rtol=rtol,
                    atol=atol,
                    context=f"{name}{label}",
                    timeout=timeout,
                    size_rules=tuple(size_rules),
                    geometry=None if geometry is None else (lambda p=param: geometry(p)),
                    family=family(param) if family is not None else "",
                )
                if any(c.id == case.id for c in self.cases):
                    # references are cached by case id: two checks must never share one
                    raise ValueError(f"duplicate case id {case.id!r}: give each check function its own name")
                self.cases.append(case)
                group.cases.append(case)
                group.params.append(param)
            return group

        return register


# ---------------------------------------------------------------- practice checks (check.py --torch)


@dataclass
class Practice:
    """A randomized practice check: ``run(student, rng)`` draws a configuration, calls the
    student and asserts (against a public library, or a property where none computes it)."""

    question: str
    title: str
    draws: int
    run: Callable[[Any, np.random.Generator], Any]
    compares_with: str = ""  # e.g. "torch.nn.functional.conv2d"; empty for a property check
    families: tuple[str, ...] = ()  # drawn in turn: every run draws each one (run gets it as a third argument)

    def family(self, draw: int) -> str | None:
        return self.families[draw % len(self.families)] if self.families else None

    @property
    def kind(self) -> str:
        return f"vs {self.compares_with}" if self.compares_with else "property check"


def practice_rng(seed: int, check_index: int, draw: int) -> np.random.Generator:
    """The generator of one draw: the same seed always reproduces the same configurations."""
    return np.random.default_rng([int(seed), int(check_index), int(draw)])


class PracticeSuite:
    """The practice checks of ``python check.py --torch`` (shipped as ``practice_tests.py``).

    They never hold a hidden case: every configuration is drawn from a seeded generator, fresh
    for each run of check.py (the seed is printed, and ``--seed N`` replays it).
    """

    def __init__(self) -> None:
        self.checks: list[Practice] = []

    def practice(
        self, question: str, *, title: str, compares_with: str = "", draws: int = 10, families: tuple[str, ...] = ()
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Register ``fn(student, rng)`` as a practice check of ``question``, run ``draws`` times.

        With ``families`` (the families of inputs the hidden cases are drawn from, e.g.
        ``("gray", "rgb")``), draw ``d`` is of family ``families[d % len(families)]``, passed as
        ``fn(student, rng, family)``: every run draws every family.
        """

        def register(fn: Callable[..., Any]) -> Callable[..., Any]:
            if any(c.title == title for c in self.checks):
                raise ValueError(f"duplicate practice check title {title!r}")
            if families and draws < len(families):
                raise ValueError(f"{title!r}: {draws} draws cannot cover the families {families}")
            self.checks.append(Practice(question, title, draws, fn, compares_with, tuple(families)))
            return fn

        return register

    def run_check(self, index: int, student: Any, seed: int) -> tuple[int, str | None]:
        """Run every draw of check ``index`` until the first failure: (draws passed, failure or None).

        A ``NotImplementedError`` propagates (the caller reports "not implemented yet").
        """
        check = self.checks[index]
        for draw in range(check.draws):
            rng = practice_rng(seed, index, draw)
            try:
                check.run(student, rng, check.family(draw)) if check.families else check.run(student, rng)
            except CheckFailure as exc:
                return draw, f"draw {draw + 1} of {check.draws}: {exc}"
        return check.draws, None
