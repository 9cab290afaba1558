"""hw3 hidden tests: every graded function against PyTorch (float64), on CPU and on CUDA if present.

Never shipped to students. Each check calls the student once per case (a backward case: the
forward, then the backward with the same upstream gradient the reference uses) and returns its
outputs; the attached ``reference`` computes the same outputs with ``torch.nn.functional``
(gradients by autograd) on the requested device. Integer-valued inputs create exact ties in
the pooling windows (PyTorch sends the gradient to the first maximum in row-major order, and
a window whose real entries are all -inf to its first real entry, never to the padding).
Cases are seeded and small enough that a correct plain-loop submission passes well within
the time limit, and chosen to break the realistic bugs of the mutant catalog
(``assignments/hw3_pooling/mutants/``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from checklib import CheckFailure, Suite, assert_value, expect_tuple, raised
from refkit import OMIT, F, kwargs_without_omitted, pair, tensor, to_numpy, torch, upstream

suite = Suite(hidden=True)

PARAM_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


def _loss_value(value: Any, context: str) -> float:
    """A returned loss as a Python float, if it is one of the two accepted types (handout §9)."""
    if isinstance(value, float):  # a Python float, or a NumPy float64 (a subclass of float)
        return float(value)
    shape = f" of shape {value.shape}" if isinstance(value, np.ndarray) else ""
    raise CheckFailure(f"{context}: loss is a {type(value).__name__}{shape}, expected a float (use float(loss))")


# ---------------------------------------------------------------- q1 ReLU


@dataclass(frozen=True)
class ArrayCase:
    shape: tuple[int, ...]
    seed: int
    integer: bool = False  # integer-valued entries (exact zeros for ReLU, ties for pooling)

    def __str__(self) -> str:
        return f"x of shape {self.shape}" + (", integer-valued" if self.integer else "")

    def x(self) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        if self.integer:
            return rng.integers(-2, 3, self.shape).astype(np.float64)
        return rng.standard_normal(self.shape)


RELU_CASES = [ArrayCase((2, 3, 4, 5), 1), ArrayCase((3, 7), 2, integer=True), ArrayCase((1, 2, 5, 5), 3, integer=True)]


@suite.check("q1", RELU_CASES, title="relu_forward")
def relu_forward(st, c: ArrayCase):
    out, _cache = expect_tuple("relu_forward", st.relu_forward(c.x()), 2)
    return {"out": out}


@relu_forward.reference
def _(c: ArrayCase, device: str) -> dict:
    return {"out": to_numpy(F.relu(tensor(c.x(), device)))}


@suite.check("q1", RELU_CASES, title="relu_backward")
def relu_backward(st, c: ArrayCase):
    out, cache = expect_tuple("relu_forward", st.relu_forward(c.x()), 2)
    return {"dx": st.relu_backward(upstream(c.seed, np.shape(out)), cache)}


@relu_backward.reference
def _(c: ArrayCase, device: str) -> dict:
    x = tensor(c.x(), device, grad=True)
    out = F.relu(x)
    out.backward(tensor(upstream(c.seed, tuple(out.shape)), device))
    return {"dx": to_numpy(x.grad)}


# ---------------------------------------------------------------- q2-q4 max and average pooling


@dataclass(frozen=True)
class PoolCase:
    """One pooling configuration; ``stride``/``padding`` equal to OMIT are not passed."""

    n: int
    c: int
    size: tuple[int, int]
    kernel: int | tuple[int, int]
    stride: Any = OMIT
    padding: Any = OMIT
    ties: bool = False  # integer-valued input: exact ties inside windows
    offset: float = 0.0  # subtracted from the input (all-negative windows at the border)
    seed: int = 0
    neg_inf: bool = False  # negative entries become -inf: border windows whose real entries are all -inf

    def __str__(self) -> str:
        parts = [f"N={self.n}, C={self.c}, input {self.size[0]}x{self.size[1]}, kernel_size={self.kernel}"]
        parts += [f"{k}={v!r}" for k, v in self.kwargs.items()]
        if self.ties:
            parts.append("integer-valued input (ties)")
        if self.offset:
            parts.append("mostly negative input")
        if self.neg_inf:
            parts.append("entries of -inf")
        return ", ".join(parts)

    @property
    def kwargs(self) -> dict:
        return kwargs_without_omitted(stride=self.stride, padding=self.padding)

    def x(self) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        shape = (self.n, self.c, *self.size)
        x = rng.integers(-2, 3, shape).astype(np.float64) if self.ties else rng.standard_normal(shape)
        if self.neg_inf:
            x[x < 0] = -np.inf
        return x - self.offset

    def torch_forward(self, pool: str, device: str, grad: bool = False):
        x = tensor(self.x(), device, grad)
        kwargs = {"stride": self.kwargs.get("stride"), "padding": self.kwargs.get("padding", 0)}
        return x, getattr(F, pool)(x, self.kernel, **kwargs)  # pool: the name of a torch.nn.functional op


MAXPOOL_CASES = [
    PoolCase(2, 3, (6, 6), 2, seed=11),
    PoolCase(1, 2, (7, 7), 3, stride=1, ties=True, seed=12),
    PoolCase(2, 2, (7, 9), 3, stride=2, padding=1, seed=13),
    PoolCase(2, 1, (8, 8), 2, stride=3, seed=14),
    PoolCase(1, 3, (5, 7), (2, 3), stride=(1, 2), padding=(1, 1), ties=True, seed=15),
    PoolCase(3, 2, (9, 7), 3, stride=None, padding=1, ties=True, seed=16),
    PoolCase(2, 2, (5, 5), 2, seed=17),
    PoolCase(1, 1, (4, 6), (3, 2), stride=(1, 1), padding=(1, 0), ties=True, seed=18),
    PoolCase(2, 2, (6, 5), 2, stride=1, padding=1, offset=5.0, seed=19),
    PoolCase(1, 2, (3, 4), (3, 4), padding=(1, 2), seed=20),
]

# Backward only (the forward's out holds -inf, which no output may): the tie rule in windows whose
# real entries are all -inf, where torch picks the window's first real entry, never the padding.
MAXPOOL_BACKWARD_ONLY_CASES = [
    PoolCase(2, 2, (5, 5), 2, stride=2, padding=1, ties=True, neg_inf=True, seed=21),
    PoolCase(1, 2, (6, 5), (3, 2), stride=1, padding=(1, 1), ties=True, neg_inf=True, seed=22),
]

AVGPOOL_CASES = [
    PoolCase(2, 3, (6, 6), 2, seed=31),
    PoolCase(2, 2, (7, 9), 3, stride=2, padding=1, seed=32),
    PoolCase(1, 3, (5, 7), (2, 3), stride=(1, 2), padding=(1, 1), seed=33),
    PoolCase(2, 1, (8, 8), 2, stride=3, seed=34),
    PoolCase(2, 2, (5, 5), 3, stride=1, padding=1, seed=35),
    PoolCase(1, 2, (7, 6), (3, 2), stride=None, padding=(1, 0), seed=36),
]

# (input H x W, kernel_size, padding): padding more than half the kernel, or an empty output
BAD_POOL_CASES = [((6, 6), 2, 2), ((7, 7), 3, 2), ((6, 8), (3, 2), (1, 2)), ((3, 3), 4, 0)]


@dataclass(frozen=True)
class BadPoolCase:
    size: tuple[int, int]
    kernel: int | tuple[int, int]
    padding: int | tuple[int, int]

    def __str__(self) -> str:
        return f"input {self.size[0]}x{self.size[1]}, kernel_size={self.kernel}, padding={self.padding}"


def _pool_geometry(c: PoolCase) -> dict:
    """A pooling case's output-size formula, per spatial axis, for the grader's feedback on a wrong shape."""
    kernel = pair(c.kernel)
    stride = kernel if c.kwargs.get("stride") is None else pair(c.kwargs["stride"])
    padding = pair(c.kwargs.get("padding", 0))
    axes = [{"n": c.size[i], "k": kernel[i], "s": stride[i], "p": padding[i], "d": 1} for i in range(2)]
    return {"formula": "pool", "axes": axes, "outputs": ["out"], "sizes": {"N": c.n, "C": c.c, "kh": kernel[0], "kw": kernel[1]}}


POOL_RULES = ("ceil", "no padding", "padding once", "no stride", "axes swapped", "width from height", "height from width")


def _pool_checks(question_fwd: str, question_bwd: str, name: str, pool: str, cases: list[PoolCase], backward_only: list[PoolCase]) -> None:
    forward_name, backward_name = f"{name}_forward", f"{name}_backward"

    def forward(st, c: PoolCase) -> dict:
        out, _cache = expect_tuple(forward_name, getattr(st, forward_name)(c.x(), c.kernel, **c.kwargs), 2)
        return {"out": out}

    def forward_reference(c: PoolCase, device: str) -> dict:
        return {"out": to_numpy(c.torch_forward(pool, device)[1])}

    def backward(st, c: PoolCase) -> dict:
        out, cache = expect_tuple(forward_name, getattr(st, forward_name)(c.x(), c.kernel, **c.kwargs), 2)
        return {"dx": getattr(st, backward_name)(upstream(c.seed, np.shape(out)), cache)}

    def backward_reference(c: PoolCase, device: str) -> dict:
        x, out = c.torch_forward(pool, device, grad=True)
        out.backward(tensor(upstream(c.seed, tuple(out.shape)), device))
        return {"dx": to_numpy(x.grad)}

    def rejects(st, c: BadPoolCase) -> None:
        # torch refuses these ("pad should be at most half of effective kernel size", "output size is too small")
        x = np.zeros((1, 1, *c.size))
        exception = raised(getattr(st, forward_name), x, c.kernel, padding=c.padding)
        assert_value("the exception raised", exception, "ValueError", context=f"{forward_name}({c})")

    forward.__name__, backward.__name__, rejects.__name__ = forward_name, backward_name, f"{forward_name}_rejects"
    suite.check(question_fwd, cases, title=forward_name, size_rules=POOL_RULES, geometry=_pool_geometry)(forward).reference(forward_reference)
    suite.check(question_fwd, [BadPoolCase(*b) for b in BAD_POOL_CASES], title=f"{forward_name} raises ValueError")(rejects)
    suite.check(question_bwd, cases + backward_only, title=backward_name, geometry=_pool_geometry)(backward).reference(backward_reference)


_pool_checks("q2", "q3", "maxpool2d", "max_pool2d", MAXPOOL_CASES, MAXPOOL_BACKWARD_ONLY_CASES)
_pool_checks("q4", "q4", "avgpool2d", "avg_pool2d", AVGPOOL_CASES, [])


# ---------------------------------------------------------------- q5 global average pooling, q6 flatten

GAP_CASES = [ArrayCase((2, 3, 4, 5), 51), ArrayCase((1, 4, 1, 1), 52), ArrayCase((3, 2, 7, 3), 53)]
FLATTEN_CASES = [ArrayCase((2, 3, 4, 5), 61), ArrayCase((1, 2, 3, 3), 62), ArrayCase((3, 4, 2), 63), ArrayCase((2, 5, 1, 1), 64)]


def _gap(x: torch.Tensor) -> torch.Tensor:
    return F.adaptive_avg_pool2d(x, 1).flatten(1)


def _flatten(x: torch.Tensor) -> torch.Tensor:
    return x.flatten(1)


def _array_sizes(c: ArrayCase) -> dict:
    """The case's named sizes, for the grader's feedback on a scaled output (e.g. divided by H*W)."""
    return {"sizes": dict(zip(("N", "C", "H", "W"), c.shape, strict=False))}


def _layer_checks(question: str, name: str, op, cases: list[ArrayCase]) -> None:
    forward_name, backward_name = f"{name}_forward", f"{name}_backward"

    def forward(st, c: ArrayCase) -> dict:
        out, _cache = expect_tuple(forward_name, getattr(st, forward_name)(c.x()), 2)
        return {"out": out}

    def forward_reference(c: ArrayCase, device: str) -> dict:
        return {"out": to_numpy(op(tensor(c.x(), device)))}

    def backward(st, c: ArrayCase) -> dict:
        out, cache = expect_tuple(forward_name, getattr(st, forward_name)(c.x()), 2)
        return {"dx": getattr(st, backward_name)(upstream(c.seed, np.shape(out)), cache)}

    def backward_reference(c: ArrayCase, device: str) -> dict:
        x = tensor(c.x(), device, grad=True)
        out = op(x)
        out.backward(tensor(upstream(c.seed, tuple(out.shape)), device))
        return {"dx": to_numpy(x.grad)}

    forward.__name__, backward.__name__ = forward_name, backward_name
    suite.check(question, cases, title=forward_name, geometry=_array_sizes)(forward).reference(forward_reference)
    suite.check(question, cases, title=backward_name, geometry=_array_sizes)(backward).reference(backward_reference)


_layer_checks("q5", "global_avg_pool", _gap, GAP_CASES)
_layer_checks("q6", "flatten", _flatten, FLATTEN_CASES)


# ---------------------------------------------------------------- q7 linear


@dataclass(frozen=True)
class LinearCase:
    n: int
    in_features: int
    out_features: int
    seed: int

    def __str__(self) -> str:
        return f"N={self.n}, in_features={self.in_features}, out_features={self.out_features}"

    def inputs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        x = rng.standard_normal((self.n, self.in_features))
        return x, rng.standard_normal((self.out_features, self.in_features)), rng.standard_normal(self.out_features)


LINEAR_CASES = [LinearCase(4, 6, 3, 71), LinearCase(1, 5, 5, 72), LinearCase(3, 8, 2, 73), LinearCase(5, 3, 7, 74), LinearCase(3, 4, 4, 75)]


@suite.check("q7", LINEAR_CASES, title="linear_forward")
def linear_forward(st, c: LinearCase):
    out, _cache = expect_tuple("linear_forward", st.linear_forward(*c.inputs()), 2)
    return {"out": out}


@linear_forward.reference
def _(c: LinearCase, device: str) -> dict:
    return {"out": to_numpy(F.linear(*(tensor(a, device) for a in c.inputs())))}


@suite.check("q7", LINEAR_CASES, title="linear_backward", geometry=lambda c: {"sizes": {"N": c.n}})
def linear_backward(st, c: LinearCase):
    out, cache = expect_tuple("linear_forward", st.linear_forward(*c.inputs()), 2)
    dx, dw, db = expect_tuple("linear_backward", st.linear_backward(upstream(c.seed, np.shape(out)), cache), 3)
    return {"dx": dx, "dw": dw, "db": db}


@linear_backward.reference
def _(c: LinearCase, device: str) -> dict:
    x, w, b = (tensor(a, device, grad=True) for a in c.inputs())
    out = F.linear(x, w, b)
    out.backward(tensor(upstream(c.seed, tuple(out.shape)), device))
    return {"dx": to_numpy(x.grad), "dw": to_numpy(w.grad), "db": to_numpy(b.grad)}


# ---------------------------------------------------------------- q8 softmax cross-entropy


@dataclass(frozen=True)
class LossCase:
    n: int
    k: int
    seed: int
    scale: float = 1.0
    huge: bool = False  # logits of exactly +-1000 (plus a little noise)

    def __str__(self) -> str:
        kind = ", logits of +-1000" if self.huge else (f", logits of scale {self.scale:g}" if self.scale != 1 else "")
        return f"N={self.n}, K={self.k}{kind}"

    def inputs(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        logits = self.scale * rng.standard_normal((self.n, self.k))
        if self.huge:
            logits = rng.choice([-1000.0, 1000.0], (self.n, self.k)) + rng.standard_normal((self.n, self.k))
        return logits, rng.integers(0, self.k, self.n).astype(np.int64)


LOSS_CASES = [LossCase(4, 5, 81), LossCase(1, 3, 82), LossCase(8, 10, 83, scale=3.0), LossCase(6, 4, 84, huge=True), LossCase(3, 7, 85, scale=500.0)]


@suite.check("q8", LOSS_CASES, title="softmax_cross_entropy", geometry=lambda c: {"sizes": {"N": c.n}})
def softmax_cross_entropy(st, c: LossCase):
    loss, dlogits = expect_tuple("softmax_cross_entropy", st.softmax_cross_entropy(*c.inputs()), 2)
    return {"loss": _loss_value(loss, f"softmax_cross_entropy[{c}]"), "dlogits": dlogits}


@softmax_cross_entropy.reference
def _(c: LossCase, device: str) -> dict:
    logits, labels = c.inputs()
    z = tensor(logits, device, grad=True)
    loss = F.cross_entropy(z, torch.tensor(labels, device=device))
    loss.backward()
    return {"loss": loss.item(), "dlogits": to_numpy(z.grad)}


# ---------------------------------------------------------------- q9 the whole CNN


@dataclass(frozen=True)
class CNNCase:
    head: str
    n: int
    c_in: int
    size: tuple[int, int]
    c1: int
    c2: int
    classes: int
    seed: int

    def __str__(self) -> str:
        return (
            f"head={self.head!r}, N={self.n}, C_in={self.c_in}, input {self.size[0]}x{self.size[1]}, "
            f"C1={self.c1}, C2={self.c2}, K={self.classes}"
        )

    def inputs(self) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        rng = np.random.default_rng(self.seed)
        h2, w2 = self.size[0] // 2, self.size[1] // 2
        features = self.c2 if self.head == "gap" else self.c2 * h2 * w2
        x = rng.standard_normal((self.n, self.c_in, *self.size))
        y = rng.integers(0, self.classes, self.n).astype(np.int64)
        params = {
            "W1": 0.5 * rng.standard_normal((self.c1, self.c_in, 3, 3)),
            "b1": 0.1 * rng.standard_normal(self.c1),
            "W2": 0.5 * rng.standard_normal((self.c2, self.c1, 3, 3)),
            "b2": 0.1 * rng.standard_normal(self.c2),
            "W3": 0.5 * rng.standard_normal((self.classes, features)),
            "b3": 0.1 * rng.standard_normal(self.classes),
        }
        return x, y, params


CNN_CASES = [
    CNNCase("gap", 2, 1, (8, 8), 4, 6, 3, 91),
    CNNCase("fc", 2, 2, (6, 6), 3, 4, 5, 92),
    CNNCase("gap", 1, 3, (7, 9), 4, 5, 5, 93),
    CNNCase("fc", 3, 1, (5, 7), 2, 3, 4, 94),
    CNNCase("gap", 4, 2, (6, 4), 3, 4, 4, 95),
]


@suite.check("q9", CNN_CASES, title="cnn_loss_and_grads")
def cnn_loss_and_grads(st, c: CNNCase):
    x, y, params = c.inputs()
    loss, grads = expect_tuple("cnn_loss_and_grads", st.cnn_loss_and_grads(x, y, params, head=c.head), 2)
    context = f"cnn_loss_and_grads[{c}]"
    if not isinstance(grads, dict):
        raise CheckFailure(f"{context}: grads is a {type(grads).__name__}, expected a dict with keys {', '.join(PARAM_NAMES)}")
    return {"loss": _loss_value(loss, context), **{f"grads[{k!r}]": grads.get(k) for k in PARAM_NAMES}}


@cnn_loss_and_grads.reference
def _(c: CNNCase, device: str) -> dict:
    x, y, params = c.inputs()
    p = {k: tensor(v, device, grad=True) for k, v in params.items()}
    h = F.max_pool2d(F.relu(F.conv2d(tensor(x, device), p["W1"], p["b1"], padding=1)), 2)
    h = F.relu(F.conv2d(h, p["W2"], p["b2"], padding=1))
    features = F.adaptive_avg_pool2d(h, 1).flatten(1) if c.head == "gap" else h.flatten(1)
    loss = F.cross_entropy(F.linear(features, p["W3"], p["b3"]), torch.tensor(y, device=device))
    loss.backward()
    return {"loss": loss.item(), **{f"grads[{k!r}]": to_numpy(p[k].grad) for k in PARAM_NAMES}}
