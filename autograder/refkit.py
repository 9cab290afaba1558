"""The test-authoring kit of hidden tests: the PyTorch side of a reference, written once.

Every ``assignments/<hw>/tests/hidden.py`` imports it as ``refkit`` (the grader registers the
alias, as it does for ``checklib``); it ships in the autograder zip, never in a student bundle.
References run in float64 with TF32 off, on the device the grader asks for.

``torch``, ``F`` (``torch.nn.functional``) and ``nn`` are *lazy*: the real module is imported on
the first attribute access. A hidden test that writes ``from refkit import F, torch`` (and uses
torch only inside references, annotations as strings) costs the grader no PyTorch import when
the references come from the release-time table (``autograder/tables.py``): on Gradescope that
is ~150 MB of a 768 MB container. A check whose *input* needs torch (a model's weights, the
activations of a shipped network) marks that function ``@tabled``: its results are recorded in
the same table and read back from it when grading.
"""

from __future__ import annotations

import copy
import functools
import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

OMIT = "omit"  # a keyword argument a case does not pass at all (the function's default applies)


class LazyModule:
    """A module imported on first use: attribute reads and writes go to the real module.

    A missing attribute is tried as a submodule (``lazy_import("scipy").signal``).
    """

    __slots__ = ("_lazy_name", "_lazy_module")

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_lazy_name", name)
        object.__setattr__(self, "_lazy_module", None)

    def _load(self) -> Any:
        module = object.__getattribute__(self, "_lazy_module")
        if module is None:
            module = importlib.import_module(object.__getattribute__(self, "_lazy_name"))
            object.__setattr__(self, "_lazy_module", module)
        return module

    def __getattr__(self, attr: str) -> Any:
        module = self._load()
        try:
            return getattr(module, attr)
        except AttributeError:
            try:
                return importlib.import_module(f"{module.__name__}.{attr}")
            except ModuleNotFoundError:
                raise AttributeError(f"module {module.__name__!r} has no attribute {attr!r}") from None

    def __setattr__(self, attr: str, value: Any) -> None:
        setattr(self._load(), attr, value)

    def __dir__(self) -> list[str]:
        return dir(self._load())

    def __repr__(self) -> str:
        name = object.__getattribute__(self, "_lazy_name")
        loaded = object.__getattribute__(self, "_lazy_module") is not None
        return f"<lazy module {name!r}{'' if loaded else ' (not imported yet)'}>"


def lazy_import(name: str) -> LazyModule:
    """``name`` (e.g. ``"scipy"``), imported only when an attribute of it is first used."""
    return LazyModule(name)


torch = lazy_import("torch")
F = lazy_import("torch.nn.functional")
nn = lazy_import("torch.nn")


# ---------------------------------------------------------------- check inputs recorded in the table

# per test module (its __name__): where @tabled values are read from; a table's build records them all
_SOURCES: dict[str, Callable[[str], tuple[bool, Any]]] = {}
_RECORDINGS: list[dict[str, Any]] = []


def tabled(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a function that computes a check's *input* with torch (weights, activations, edges).

    Its values are recorded in the release-time table and, when grading, read from it (no torch
    import); without a table it is computed, once per arguments (cached, like
    ``functools.cache``), and every call returns a fresh copy. The key is the function's name and
    the ``repr`` of its arguments, so arguments must have a stable repr (numbers, strings,
    tuples, frozen dataclasses: a method of a frozen dataclass is fine); values must be arrays
    or plain values (a value the table cannot hold is simply computed when grading).
    """
    cache: dict[str, Any] = {}

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = f"{fn.__qualname__}{args!r}" + (f"{sorted(kwargs.items())!r}" if kwargs else "")
        source = _SOURCES.get(fn.__module__)
        if source is not None:
            found, value = source(key)
            if found:
                return value  # decoded from the table: a fresh copy already
        if key not in cache:
            cache[key] = fn(*args, **kwargs)
        for recording in _RECORDINGS:
            recording.setdefault(key, cache[key])
        return copy.deepcopy(cache[key])

    return wrapper


def serve(module: str, source: Callable[[str], tuple[bool, Any]] | None) -> None:
    """Read the ``@tabled`` values of test module ``module`` from ``source(key) -> (found, value)``."""
    if source is None:
        _SOURCES.pop(module, None)
    else:
        _SOURCES[module] = source


@contextmanager
def recording() -> Iterator[dict[str, Any]]:
    """Collect every ``@tabled`` value computed meanwhile, by key (building one assignment's table)."""
    values: dict[str, Any] = {}
    _RECORDINGS.append(values)
    try:
        yield values
    finally:
        _RECORDINGS.remove(values)


def tensor(a: Any, device: str, grad: bool = False) -> torch.Tensor:
    """``a`` as a float64 tensor on ``device`` (TF32 off, so CUDA agrees with CPU to ~1e-12)."""
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    return torch.tensor(np.asarray(a), dtype=torch.float64, device=device, requires_grad=grad)


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """A tensor back on the CPU as float64 (floating tensors) or int64 (integer ones)."""
    t = t.detach().cpu()
    return t.numpy().astype(np.float64 if t.is_floating_point() else np.int64)


def upstream(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    """The upstream gradient dL/dout that a backward case feeds to both the student and torch."""
    return np.random.default_rng(seed + 1000).standard_normal(shape)


def pair(v: int | tuple[int, int]) -> tuple[int, int]:
    """An int or an (h, w) pair as an (h, w) pair."""
    return (v, v) if isinstance(v, (int, np.integer)) else (int(v[0]), int(v[1]))


def kwargs_without_omitted(**kwargs: Any) -> dict[str, Any]:
    """The keyword arguments of a call, leaving out those equal to ``OMIT``."""
    return {k: v for k, v in kwargs.items() if not (isinstance(v, str) and v == OMIT)}


# ---------------------------------------------------------------- checks of a layer's forward and backward
# A layer case has ``inputs() -> (x, w, b)`` (arrays), ``kwargs`` (the layer's options), ``seed``,
# and ``torch_forward(device, grad=False) -> (x, w, b, out)`` as tensors (hw1's conv, hw6's
# transposed conv). The check function's name is the graded function's (it forms the case ids).


def layer_forward_check(fn_name: str) -> Callable[[Any, Any], dict]:
    """A check calling the student's ``fn_name(x, w, b, **kwargs) -> (out, cache)``."""

    def check(st: Any, case: Any) -> dict:
        from .checklib import expect_tuple

        x, w, b = case.inputs()
        out, _cache = expect_tuple(fn_name, getattr(st, fn_name)(x, w, b, **case.kwargs), 2)
        return {"out": out}

    check.__name__ = fn_name
    return check


def layer_forward_reference(case: Any, device: str) -> dict:
    return {"out": to_numpy(case.torch_forward(device)[3])}


def layer_backward_check(forward_name: str, backward_name: str) -> Callable[[Any, Any], dict]:
    """A check running the student's forward, then ``backward(dout, cache) -> (dx, dw, db)``."""

    def check(st: Any, case: Any) -> dict:
        from .checklib import expect_tuple

        x, w, b = case.inputs()
        out, cache = expect_tuple(forward_name, getattr(st, forward_name)(x, w, b, **case.kwargs), 2)
        dx, dw, db = expect_tuple(backward_name, getattr(st, backward_name)(upstream(case.seed, np.shape(out)), cache), 3)
        return {"dx": dx, "dw": dw, "db": db}

    check.__name__ = backward_name
    return check


def layer_backward_reference(case: Any, device: str) -> dict:
    """dx, dw, db by autograd, for the same upstream gradient as the student's."""
    x, w, b, out = case.torch_forward(device, grad=True)
    out.backward(tensor(upstream(case.seed, tuple(out.shape)), device))
    return {"dx": to_numpy(x.grad), "dw": to_numpy(w.grad), "db": to_numpy(b.grad)}
