"""hw3 practice checks: what ``python check.py --torch`` compares with PyTorch (not graded).

Every check draws fresh random configurations from the families of the grader's hidden cases
(kernel sizes and strides, an omitted stride, paddings up to half the kernel, non-square maps,
integer-valued inputs full of ties, entries of -inf, logits of +-1000, both heads of the CNN
with odd sizes) and compares your functions with ``torch.nn.functional`` and autograd, with the
grader's tolerance. check.py prints the seed; ``python check.py --torch --seed N`` replays it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from checklib import CheckFailure, PracticeSuite, assert_array, assert_value, expect_tuple, raised
from torch.nn import functional as F

suite = PracticeSuite()
OMITTED = object()  # an argument left out of the call (the function's default applies)


def _t(a: Any, grad: bool = False) -> torch.Tensor:
    """``a`` as a float64 CPU tensor (what the grader's references use)."""
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


def _array(t: torch.Tensor) -> np.ndarray:
    return t.detach().numpy().astype(np.float64)


def _values(rng: np.random.Generator, shape: tuple[int, ...], integers: bool) -> np.ndarray:
    """Normal entries, or small integers (exact zeros and exact ties)."""
    if integers:
        return rng.integers(-3, 4, shape).astype(np.float64)
    return rng.standard_normal(shape)


def _a_float(value: Any, context: str) -> float:
    """The loss contract (handout §6, §9): a Python float or a NumPy float64, nothing else."""
    if not isinstance(value, float):  # np.float64 is a subclass of float; float32, int, arrays are not
        what = f"numpy array of shape {value.shape}" if isinstance(value, np.ndarray) else type(value).__name__
        raise CheckFailure(f"{context}: loss is a {what}, expected a float (use float(loss))")
    return float(value)


def _label(value: Any) -> str:
    return "omitted" if value is OMITTED else repr(value)


# ---------------------------------------------------------------- q1 ReLU


@suite.practice("q1", title="relu_forward and relu_backward", compares_with="torch.nn.functional.relu, autograd", draws=10)
def relu(st, rng: np.random.Generator) -> None:
    shape = tuple(int(d) for d in rng.integers(1, 6, rng.integers(1, 5)))
    integers = bool(rng.random() < 0.5)
    x, dout = _values(rng, shape, integers), rng.standard_normal(shape)
    context = f"relu[x of shape {shape}{', integer-valued (exact zeros)' if integers else ''}]"
    xt = _t(x, grad=True)
    out_ref = F.relu(xt)
    out_ref.backward(_t(dout))
    x_before = x.copy()
    out, cache = expect_tuple("relu_forward", st.relu_forward(x), 2)
    assert_array("x after relu_forward", x, x_before, context=f"{context}: relu_forward must not modify x")
    assert_array("out", out, _array(out_ref), context=context.replace("relu", "relu_forward", 1))
    dx = st.relu_backward(dout, cache)
    assert_array("dx", dx, _array(xt.grad), context=context.replace("relu", "relu_backward", 1))


# ---------------------------------------------------------------- q2-q4 pooling


def _pool_setting(rng: np.random.Generator, n: int) -> int | tuple[int, int]:
    """An int, or an (h, w) pair, for a setting whose two values are at most ``n``."""
    if rng.random() < 0.5:
        return int(rng.integers(1, n + 1))
    return int(rng.integers(1, n + 1)), int(rng.integers(1, n + 1))


def _hw(v: int | tuple[int, int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else v


def _draw_pool(rng: np.random.Generator, *, ties: float = 0.4, padded: bool = False) -> dict:
    """A valid pooling configuration: kernel, stride (sometimes omitted or None), padding <= kernel / 2.

    ``padded``: a kernel of at least 2 with a padding of at least 1 (border windows hold padding).
    """
    kernel = int(rng.integers(2, 5)) if padded else _pool_setting(rng, 4)
    kh, kw = _hw(kernel)
    stride = [OMITTED, None, _pool_setting(rng, 4)][int(rng.choice(3, p=[0.25, 0.15, 0.6]))]
    if padded:
        padding = int(rng.integers(1, kh // 2 + 1))
    elif rng.random() < 0.3:
        padding = OMITTED
    elif rng.random() < 0.5:
        padding = int(rng.integers(0, min(kh, kw) // 2 + 1))
    else:
        padding = int(rng.integers(0, kh // 2 + 1)), int(rng.integers(0, kw // 2 + 1))
    ph, pw = _hw(0 if padding is OMITTED else padding)
    size = int(rng.integers(max(kh - 2 * ph, 1), kh + 7)), int(rng.integers(max(kw - 2 * pw, 1), kw + 7))
    return {
        "n": int(rng.integers(1, 4)),
        "c": int(rng.integers(1, 4)),
        "size": size,
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "integers": bool(rng.random() < ties),
    }


def _pool_kwargs(cfg: dict) -> dict:
    return {k: cfg[k] for k in ("stride", "padding") if cfg[k] is not OMITTED}


def _pool_context(name: str, cfg: dict, extra: str = "") -> str:
    h, w = cfg["size"]
    text = f"{name}[N={cfg['n']}, C={cfg['c']}, input {h}x{w}, kernel_size={cfg['kernel']!r}"
    text += f", stride={_label(cfg['stride'])}, padding={_label(cfg['padding'])}"
    return text + (", integer-valued input (ties)" if cfg["integers"] else "") + extra + "]"


def _torch_pool(pool, xt: torch.Tensor, cfg: dict) -> torch.Tensor:
    stride = None if cfg["stride"] is OMITTED else cfg["stride"]
    return pool(xt, cfg["kernel"], stride=stride, padding=0 if cfg["padding"] is OMITTED else cfg["padding"])


def _pool_forward(st, rng: np.random.Generator, name: str, pool) -> None:
    cfg = _draw_pool(rng)
    x = _values(rng, (cfg["n"], cfg["c"], *cfg["size"]), cfg["integers"])
    if rng.random() < 0.25:
        x -= 4.0  # all-negative border windows: max-pooling's padding must never win
    expected = _array(_torch_pool(pool, _t(x), cfg))
    out, _cache = expect_tuple(f"{name}_forward", getattr(st, f"{name}_forward")(x, cfg["kernel"], **_pool_kwargs(cfg)), 2)
    assert_array("out", out, expected, context=_pool_context(f"{name}_forward", cfg))


def _pool_backward(st, rng: np.random.Generator, name: str, pool, minus_inf: bool) -> None:
    with_inf = minus_inf and rng.random() < 0.3
    cfg = _draw_pool(rng, ties=0.6, padded=with_inf)
    x = _values(rng, (cfg["n"], cfg["c"], *cfg["size"]), cfg["integers"])
    extra = ""
    if with_inf:
        x[rng.random(x.shape) < 0.5] = -np.inf  # border windows whose real entries are all -inf (§3)
        extra = ", entries of -inf"
    xt = _t(x, grad=True)
    reference = _torch_pool(pool, xt, cfg)
    dout = rng.standard_normal(tuple(reference.shape))
    reference.backward(_t(dout))
    context = _pool_context(f"{name}_backward", cfg, extra)
    out, cache = expect_tuple(f"{name}_forward", getattr(st, f"{name}_forward")(x, cfg["kernel"], **_pool_kwargs(cfg)), 2)
    if np.shape(out) != dout.shape:  # the upstream gradient has the shape of the right out
        raise CheckFailure(f"{context}: {name}_forward's out has shape {np.shape(out)}, expected {dout.shape} (fix the forward first)")
    dx = getattr(st, f"{name}_backward")(dout, cache)
    assert_array("dx", dx, _array(xt.grad), context=context)


def _refused_setting(rng: np.random.Generator) -> tuple[tuple[int, int], Any, Any, Any, str]:
    """(input size, kernel_size, stride, padding, why) of a pooling layer PyTorch refuses."""
    k = int(rng.integers(1, 5))
    size = int(rng.integers(3, 8)), int(rng.integers(3, 8))
    kind = int(rng.integers(5))
    if kind == 0:
        return size, k, OMITTED, int(rng.integers(k // 2 + 1, k + 2)), "padding more than half the kernel"
    if kind == 1:
        pad = (0, int(rng.integers(k // 2 + 1, k + 2))) if rng.random() < 0.5 else (int(rng.integers(k // 2 + 1, k + 2)), 0)
        return size, k, OMITTED, pad, "padding more than half the kernel"
    if kind == 2:
        return size, int(min(size) + rng.integers(1, 3)), OMITTED, OMITTED, "the output would be empty"
    if kind == 3:
        return size, k, 0, OMITTED, "stride 0"
    return size, k, OMITTED, -1, "negative padding"


def _rejects(st, rng: np.random.Generator, name: str, pool) -> None:
    size, kernel, stride, padding, why = _refused_setting(rng)
    kwargs = {k: v for k, v in (("stride", stride), ("padding", padding)) if v is not OMITTED}
    x = np.zeros((1, 1, *size))
    if raised(pool, _t(x), kernel, **kwargs) is None:
        return  # PyTorch accepts it after all: nothing to compare
    context = f"{name}_forward(x {x.shape}, kernel_size={kernel!r}, stride={_label(stride)}, padding={_label(padding)}) ({why}: PyTorch refuses it)"
    assert_value("the exception raised", raised(getattr(st, f"{name}_forward"), x, kernel, **kwargs), "ValueError", context=context)


@suite.practice("q2", title="maxpool2d_forward", compares_with="torch.nn.functional.max_pool2d", draws=25)
def maxpool_forward(st, rng: np.random.Generator) -> None:
    _pool_forward(st, rng, "maxpool2d", F.max_pool2d)


@suite.practice("q2", title="maxpool2d_forward raises ValueError where PyTorch refuses", compares_with="torch.nn.functional.max_pool2d", draws=10)
def maxpool_rejects(st, rng: np.random.Generator) -> None:
    _rejects(st, rng, "maxpool2d", F.max_pool2d)


@suite.practice("q3", title="maxpool2d_backward", compares_with="torch.nn.functional.max_pool2d, autograd", draws=25)
def maxpool_backward(st, rng: np.random.Generator) -> None:
    _pool_backward(st, rng, "maxpool2d", F.max_pool2d, minus_inf=True)


@suite.practice("q4", title="avgpool2d_forward", compares_with="torch.nn.functional.avg_pool2d (count_include_pad=True)", draws=15)
def avgpool_forward(st, rng: np.random.Generator) -> None:
    _pool_forward(st, rng, "avgpool2d", F.avg_pool2d)


@suite.practice("q4", title="avgpool2d_backward", compares_with="torch.nn.functional.avg_pool2d, autograd", draws=15)
def avgpool_backward(st, rng: np.random.Generator) -> None:
    _pool_backward(st, rng, "avgpool2d", F.avg_pool2d, minus_inf=False)


@suite.practice("q4", title="avgpool2d_forward raises ValueError where PyTorch refuses", compares_with="torch.nn.functional.avg_pool2d", draws=8)
def avgpool_rejects(st, rng: np.random.Generator) -> None:
    _rejects(st, rng, "avgpool2d", F.avg_pool2d)


# ---------------------------------------------------------------- q5, q6 heads without parameters


def _layer(st, rng: np.random.Generator, name: str, op, shape: tuple[int, ...]) -> None:
    x = rng.standard_normal(shape)
    xt = _t(x, grad=True)
    reference = op(xt)
    dout = rng.standard_normal(tuple(reference.shape))
    reference.backward(_t(dout))
    out, cache = expect_tuple(f"{name}_forward", getattr(st, f"{name}_forward")(x), 2)
    assert_array("out", out, _array(reference), context=f"{name}_forward[x of shape {shape}]")
    dx = getattr(st, f"{name}_backward")(dout, cache)
    assert_array("dx", dx, _array(xt.grad), context=f"{name}_backward[x of shape {shape}]")


@suite.practice("q5", title="global_avg_pool_forward and global_avg_pool_backward", compares_with="torch.nn.functional.adaptive_avg_pool2d, autograd", draws=10)
def global_avg_pool(st, rng: np.random.Generator) -> None:
    shape = (int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 8)), int(rng.integers(1, 8)))
    _layer(st, rng, "global_avg_pool", lambda t: F.adaptive_avg_pool2d(t, 1).flatten(1), shape)


@suite.practice("q6", title="flatten_forward and flatten_backward", compares_with="torch.Tensor.flatten(1), autograd", draws=10)
def flatten(st, rng: np.random.Generator) -> None:
    shape = tuple(int(d) for d in rng.integers(1, 5, rng.integers(2, 6)))
    _layer(st, rng, "flatten", lambda t: t.flatten(1), shape)


# ---------------------------------------------------------------- q7 linear


@suite.practice("q7", title="linear_forward and linear_backward", compares_with="torch.nn.functional.linear, autograd", draws=10)
def linear(st, rng: np.random.Generator) -> None:
    n, fan_in, fan_out = (int(v) for v in rng.integers(1, 9, 3))
    x, w, b = rng.standard_normal((n, fan_in)), rng.standard_normal((fan_out, fan_in)), rng.standard_normal(fan_out)
    tensors = [_t(a, grad=True) for a in (x, w, b)]
    reference = F.linear(*tensors)
    dout = rng.standard_normal((n, fan_out))
    reference.backward(_t(dout))
    context = f"[N={n}, in_features={fan_in}, out_features={fan_out}]"
    out, cache = expect_tuple("linear_forward", st.linear_forward(x, w, b), 2)
    assert_array("out", out, _array(reference), context="linear_forward" + context)
    grads = expect_tuple("linear_backward", st.linear_backward(dout, cache), 3)
    for label, got, t in zip(("dx", "dw", "db"), grads, tensors, strict=True):
        assert_array(label, got, _array(t.grad), context="linear_backward" + context)


# ---------------------------------------------------------------- q8 softmax cross-entropy


@suite.practice("q8", title="softmax_cross_entropy", compares_with="torch.nn.functional.cross_entropy, autograd", draws=15)
def cross_entropy(st, rng: np.random.Generator) -> None:
    n, k = int(rng.integers(1, 9)), int(rng.integers(2, 11))
    kind = int(rng.integers(3))
    if kind == 0:
        logits, kind_text = rng.standard_normal((n, k)) * float(rng.choice([1.0, 5.0])), ""
    elif kind == 1:
        logits, kind_text = rng.standard_normal((n, k)) * 500.0, ", logits of scale 500"
    else:
        logits, kind_text = rng.choice([-1000.0, 1000.0], (n, k)) + rng.standard_normal((n, k)), ", logits of +-1000"
    labels = rng.integers(0, k, n).astype(np.int64)
    z = _t(logits, grad=True)
    reference = F.cross_entropy(z, torch.from_numpy(labels))
    reference.backward()
    context = f"softmax_cross_entropy[N={n}, K={k}{kind_text}]"
    loss, dlogits = expect_tuple("softmax_cross_entropy", st.softmax_cross_entropy(logits, labels), 2)
    assert_value("loss", _a_float(loss, context), reference.item(), context=context)
    assert_array("dlogits", dlogits, _array(z.grad), context=context)


# ---------------------------------------------------------------- q9 the whole CNN


def _torch_cnn_loss(x: np.ndarray, y: np.ndarray, weights: dict[str, torch.Tensor], head: str) -> torch.Tensor:
    """The network of handout §7, in torch.nn.functional calls."""
    a1 = F.relu(F.conv2d(_t(x), weights["W1"], weights["b1"], stride=1, padding=1))
    a2 = F.relu(F.conv2d(F.max_pool2d(a1, kernel_size=2, stride=2), weights["W2"], weights["b2"], stride=1, padding=1))
    features = a2.mean(dim=(2, 3)) if head == "gap" else torch.flatten(a2, start_dim=1)
    return F.cross_entropy(F.linear(features, weights["W3"], weights["b3"]), torch.from_numpy(y))


@suite.practice("q9", title="cnn_loss_and_grads", compares_with="the network of §7 in torch.nn.functional, autograd", draws=6)
def cnn(st, rng: np.random.Generator) -> None:
    head = str(rng.choice(["gap", "fc"]))
    n, c_in, c1, c2, k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 6)), int(rng.integers(2, 6)))
    h, w = int(rng.integers(2, 10)), int(rng.integers(2, 10))
    width = c2 if head == "gap" else c2 * (h // 2) * (w // 2)
    shapes = {"W1": (c1, c_in, 3, 3), "b1": (c1,), "W2": (c2, c1, 3, 3), "b2": (c2,), "W3": (k, width), "b3": (k,)}
    params = {name: 0.5 * rng.standard_normal(shape) for name, shape in shapes.items()}
    x, y = rng.standard_normal((n, c_in, h, w)), rng.integers(0, k, n).astype(np.int64)
    weights = {name: _t(v, grad=True) for name, v in params.items()}
    reference = _torch_cnn_loss(x, y, weights, head)
    reference.backward()
    context = f"cnn_loss_and_grads[head={head!r}, N={n}, C_in={c_in}, input {h}x{w}, C1={c1}, C2={c2}, K={k}]"
    loss, grads = expect_tuple("cnn_loss_and_grads", st.cnn_loss_and_grads(x, y, params, head=head), 2)
    assert_value("loss", _a_float(loss, context), reference.item(), context=context)
    if not isinstance(grads, dict):
        raise CheckFailure(f"{context}: grads is a {type(grads).__name__}, expected a dict with the keys of params")
    for name in shapes:
        assert_array(f"grads[{name!r}]", grads.get(name), _array(weights[name].grad), context=context)
