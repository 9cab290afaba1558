"""hw3 public tests: shipped to students (``python check.py``) and graded with the hidden ones.

NumPy only. The expected values are worked out by hand from the definitions in the handout
(a 4x4 feature map, the tie example, constants, equal logits); backward passes are checked
against finite differences of your own forward pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from checklib import CheckFailure, Suite, assert_array, assert_value, expect_tuple, numeric_gradient, raised

suite = Suite(hidden=False)

PARAM_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")

# The handout's 4x4 feature map (§2): one sample, one channel.
FEATURE_MAP = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], dtype=np.float64)[None, None]
MAXPOOL_2X2 = np.array([[6, 8], [3, 4]], dtype=np.float64)[None, None]
MAXPOOL_2X2_STRIDE_1 = np.array([[6, 7, 8], [6, 7, 8], [3, 3, 4]], dtype=np.float64)[None, None]
AVGPOOL_2X2 = np.array([[3.25, 5.25], [2.0, 2.0]])[None, None]

# The handout's tie example (§3): two 2x2 windows, both with a tie for the maximum.
TIE_MAP = np.array([[1, 3, 2, 2], [3, 2, 2, 2]], dtype=np.float64)[None, None]
TIE_DOUT = np.array([[10.0, 20.0]])[None, None]
TIE_DX = np.array([[0, 10, 20, 0], [0, 0, 0, 0]], dtype=np.float64)[None, None]


def _loss_value(value: Any, context: str) -> float:
    """A returned loss as a Python float, if it is one of the two accepted types (handout §9)."""
    if isinstance(value, float):  # a Python float, or a NumPy float64 (a subclass of float)
        return float(value)
    shape = f" of shape {value.shape}" if isinstance(value, np.ndarray) else ""
    raise CheckFailure(f"{context}: loss is a {type(value).__name__}{shape}, expected a float (use float(loss))")


# h = 1e-4 for finite differences: the truncation error (about h**2) stays near 1e-8, while the
# rounding noise of f, divided by 2*h, stays far below the tolerance even if f is only accurate to ~1e-12.
FD_STEP = 1e-4


def _layer_gradient_check(st, name: str, x: np.ndarray, *args, **kwargs) -> None:
    """Compare ``<name>_backward`` with finite differences of L = sum(forward(x) * g)."""
    forward, backward = getattr(st, f"{name}_forward"), getattr(st, f"{name}_backward")
    settings = ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
    context = f"{name}_backward vs finite differences (x {x.shape}, {settings})"
    out, cache = expect_tuple(f"{name}_forward", forward(x, *args, **kwargs), 2)
    g = np.random.default_rng(1).standard_normal(np.shape(out))
    dx = backward(g, cache)
    numeric = numeric_gradient(lambda x_: float(np.sum(forward(x_, *args, **kwargs)[0] * g)), x, FD_STEP)
    assert_array("dx", dx, numeric, rtol=1e-5, atol=1e-6, context=context)


# ---------------------------------------------------------------- q1 ReLU


@suite.check("q1", title="relu_forward and relu_backward by hand (the gradient at 0 is 0)")
def relu_by_hand(st, _):
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    out, cache = expect_tuple("relu_forward", st.relu_forward(x), 2)
    assert_array("out", out, np.array([[0.0, 0.0, 0.0, 0.5, 3.0]]), context="relu_forward([[-2, -0.5, 0, 0.5, 3]])")
    dx = st.relu_backward(np.array([[1.0, 2.0, 3.0, 4.0, 5.0]]), cache)
    assert_array("dx", dx, np.array([[0.0, 0.0, 0.0, 4.0, 5.0]]), context="relu_backward(dout=[[1, 2, 3, 4, 5]]) for x=[[-2, -0.5, 0, 0.5, 3]]")


@suite.check("q1", title="relu_forward leaves its input unchanged")
def relu_keeps_input(st, _):
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    expect_tuple("relu_forward", st.relu_forward(x), 2)
    # check.py and the grader also check every call; this says it for ReLU, where it happens most
    assert_array("x after the call", x, np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]]), context="relu_forward(x=[[-2, -0.5, 0, 0.5, 3]]) must not modify x (§1)")


# ---------------------------------------------------------------- q2 max-pooling forward


@suite.check("q2", title="maxpool2d_forward on the handout's 4x4 map")
def maxpool_by_hand(st, _):
    for args, kwargs, expected in [
        ((2,), {}, MAXPOOL_2X2),
        ((2,), {"stride": None}, MAXPOOL_2X2),
        ((2,), {"stride": 2, "padding": 0}, MAXPOOL_2X2),
        ((2,), {"stride": 1}, MAXPOOL_2X2_STRIDE_1),
    ]:
        out, _cache = expect_tuple("maxpool2d_forward", st.maxpool2d_forward(FEATURE_MAP, *args, **kwargs), 2)
        assert_array("out", out, expected, context=f"maxpool2d_forward(4x4 map, kernel_size=2, {kwargs})")


@suite.check("q2", title="maxpool2d_forward pads with -inf, never with 0")
def maxpool_padding(st, _):
    x = np.array([[-1.0, -2.0], [-3.0, -4.0]])[None, None]
    out, _cache = expect_tuple("maxpool2d_forward", st.maxpool2d_forward(x, 2, stride=2, padding=1), 2)
    # every window holds one real entry and three padding entries: the real one is the max
    assert_array("out", out, x, context="maxpool2d_forward([[-1, -2], [-3, -4]], kernel_size=2, stride=2, padding=1)")


@suite.check("q2", title="maxpool2d_forward output shapes (floor)")
def maxpool_shapes(st, _):
    for size, args, kwargs, shape in [
        ((5, 5), (2,), {}, (2, 3, 2, 2)),
        ((7, 9), (3,), {"stride": 2, "padding": 1}, (2, 3, 4, 5)),
        ((5, 7), ((2, 3),), {"stride": (1, 2)}, (2, 3, 4, 3)),
    ]:
        x = np.random.default_rng(0).standard_normal((2, 3, *size))
        out, _cache = expect_tuple("maxpool2d_forward", st.maxpool2d_forward(x, *args, **kwargs), 2)
        assert_value("the output shape", tuple(np.shape(out)), shape, context=f"maxpool2d_forward(x {x.shape}, kernel_size={args[0]}, {kwargs})")


@suite.check("q2", title="maxpool2d_forward rejects padding > kernel_size / 2")
def maxpool_bad_padding(st, _):
    exception = raised(st.maxpool2d_forward, np.zeros((1, 1, 6, 6)), 2, padding=2)
    assert_value("the exception raised", exception, "ValueError", context="maxpool2d_forward(x (1, 1, 6, 6), kernel_size=2, padding=2)")


# ---------------------------------------------------------------- q3 max-pooling backward


@suite.check("q3", title="maxpool2d_backward: a tie sends the gradient to the first maximum")
def maxpool_ties(st, _):
    _out, cache = expect_tuple("maxpool2d_forward", st.maxpool2d_forward(TIE_MAP, 2), 2)
    dx = st.maxpool2d_backward(TIE_DOUT, cache)
    assert_array("dx", dx, TIE_DX, context="maxpool2d_backward(dout=[[10, 20]]) for x=[[1, 3, 2, 2], [3, 2, 2, 2]], kernel_size=2")


@suite.check("q3", title="maxpool2d_backward: overlapping windows accumulate")
def maxpool_overlap(st, _):
    x = np.array([[0.0, 5.0, 0.0]])[None, None]
    _out, cache = expect_tuple("maxpool2d_forward", st.maxpool2d_forward(x, (1, 2), stride=1), 2)
    dx = st.maxpool2d_backward(np.array([[1.0, 2.0]])[None, None], cache)
    assert_array("dx", dx, np.array([[0.0, 3.0, 0.0]])[None, None], context="maxpool2d_backward(dout=[[1, 2]]) for x=[[0, 5, 0]], kernel_size=(1, 2), stride=1")


@suite.check("q3", title="maxpool2d_backward: a window of -inf sends its gradient to its first real entry")
def maxpool_inf_windows(st, _):
    x = np.array([[-np.inf, 5.0], [7.0, -np.inf]])[None, None]
    _out, cache = expect_tuple("maxpool2d_forward", st.maxpool2d_forward(x, 2, stride=2, padding=1), 2)
    dout = np.array([[10.0, 20.0], [30.0, 40.0]])[None, None]
    dx = st.maxpool2d_backward(dout, cache)
    # each window holds one real entry and three padding cells: the real entry is the maximum,
    # even when it is -inf (§3), so every entry of x receives its window's dout
    context = "maxpool2d_backward(dout=[[10, 20], [30, 40]]) for x=[[-inf, 5], [7, -inf]], kernel_size=2, stride=2, padding=1"
    assert_array("dx", dx, dout, context=context)


@suite.check("q3", title="maxpool2d_backward matches finite differences")
def maxpool_gradcheck(st, _):
    x = np.random.default_rng(0).standard_normal((2, 2, 5, 6))
    _layer_gradient_check(st, "maxpool2d", x, 3, stride=2, padding=1)


# ---------------------------------------------------------------- q4 average pooling


@suite.check("q4", title="avgpool2d_forward on the handout's 4x4 map")
def avgpool_by_hand(st, _):
    out, _cache = expect_tuple("avgpool2d_forward", st.avgpool2d_forward(FEATURE_MAP, 2), 2)
    assert_array("out", out, AVGPOOL_2X2, context="avgpool2d_forward(4x4 map, kernel_size=2)")


@suite.check("q4", title="avgpool2d_forward counts the zero padding")
def avgpool_padding(st, _):
    out, _cache = expect_tuple("avgpool2d_forward", st.avgpool2d_forward(np.ones((1, 1, 2, 2)), 2, stride=2, padding=1), 2)
    assert_array("out", out, np.full((1, 1, 2, 2), 0.25), context="avgpool2d_forward(ones (1, 1, 2, 2), kernel_size=2, stride=2, padding=1)")


@suite.check("q4", title="avgpool2d_backward matches finite differences")
def avgpool_gradcheck(st, _):
    x = np.random.default_rng(0).standard_normal((2, 2, 5, 6))
    _layer_gradient_check(st, "avgpool2d", x, 3, stride=2, padding=1)


# ---------------------------------------------------------------- q5 global average pooling, q6 flatten


@suite.check("q5", title="global average pooling by hand")
def gap_by_hand(st, _):
    out, _cache = expect_tuple("global_avg_pool_forward", st.global_avg_pool_forward(np.full((2, 3, 4, 5), 3.0)), 2)
    assert_array("out", out, np.full((2, 3), 3.0), context="global_avg_pool_forward(a constant 3.0 of shape (2, 3, 4, 5))")
    x = np.arange(8.0).reshape(1, 2, 2, 2)
    out, cache = expect_tuple("global_avg_pool_forward", st.global_avg_pool_forward(x), 2)
    assert_array("out", out, np.array([[1.5, 5.5]]), context="global_avg_pool_forward(arange(8).reshape(1, 2, 2, 2))")
    dx = st.global_avg_pool_backward(np.array([[2.0, 4.0]]), cache)
    expected = np.stack([np.full((2, 2), 0.5), np.full((2, 2), 1.0)])[None]
    assert_array("dx", dx, expected, context="global_avg_pool_backward(dout=[[2, 4]]) for x of shape (1, 2, 2, 2)")


@suite.check("q6", title="flatten keeps (C, H, W) order")
def flatten_by_hand(st, _):
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    out, cache = expect_tuple("flatten_forward", st.flatten_forward(x), 2)
    assert_array("out", out, np.arange(24.0).reshape(2, 12), context="flatten_forward(arange(24).reshape(2, 3, 2, 2))")
    dx = st.flatten_backward(np.arange(24.0).reshape(2, 12) * 10, cache)
    assert_array("dx", dx, x * 10, context="flatten_backward(10 * arange(24).reshape(2, 12)) for x of shape (2, 3, 2, 2)")


# ---------------------------------------------------------------- q7 linear


@suite.check("q7", title="linear_forward and linear_backward by hand (w is (out, in))")
def linear_by_hand(st, _):
    x, w, b = np.array([[1.0, 2.0]]), np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([0.0, 0.0, 1.0])
    context = "linear_forward(x=[[1, 2]], w=[[1, 0], [0, 1], [1, 1]], b=[0, 0, 1])"
    out, cache = expect_tuple("linear_forward", st.linear_forward(x, w, b), 2)
    assert_array("out", out, np.array([[1.0, 2.0, 4.0]]), context=context)
    dx, dw, db = expect_tuple("linear_backward", st.linear_backward(np.array([[1.0, 0.0, 0.0]]), cache), 3)
    context = "linear_backward(dout=[[1, 0, 0]]) after " + context
    assert_array("dx", dx, np.array([[1.0, 0.0]]), context=context)
    assert_array("dw", dw, np.array([[1.0, 2.0], [0.0, 0.0], [0.0, 0.0]]), context=context)
    assert_array("db", db, np.array([1.0, 0.0, 0.0]), context=context)


@suite.check("q7", title="linear_backward matches finite differences")
def linear_gradcheck(st, _):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal((3, 4)), rng.standard_normal((2, 4)), rng.standard_normal(2)
    out, cache = expect_tuple("linear_forward", st.linear_forward(x, w, b), 2)
    g = rng.standard_normal(np.shape(out))
    grads = expect_tuple("linear_backward", st.linear_backward(g, cache), 3)
    inputs = {"dx": (x, lambda v: (v, w, b)), "dw": (w, lambda v: (x, v, b)), "db": (b, lambda v: (x, w, v))}
    for (name, (value, args)), got in zip(inputs.items(), grads, strict=True):
        numeric = numeric_gradient(lambda v, args=args: float(np.sum(st.linear_forward(*args(v))[0] * g)), value, FD_STEP)
        assert_array(name, got, numeric, rtol=1e-5, atol=1e-6, context="linear_backward vs finite differences (x (3, 4), w (2, 4))")


# ---------------------------------------------------------------- q8 softmax cross-entropy


@suite.check("q8", title="softmax_cross_entropy of equal logits is log(K)")
def softmax_equal_logits(st, _):
    labels = np.array([0, 3], dtype=np.int64)
    loss, dlogits = expect_tuple("softmax_cross_entropy", st.softmax_cross_entropy(np.zeros((2, 4)), labels), 2)
    context = "softmax_cross_entropy(zeros (2, 4), labels [0, 3])"
    assert_value("loss", _loss_value(loss, context), float(np.log(4.0)), context=context)
    expected = (np.full((2, 4), 0.25) - np.eye(4)[labels]) / 2
    assert_array("dlogits", dlogits, expected, context=context)


@suite.check("q8", title="softmax_cross_entropy is stable for logits of +-1000")
def softmax_stable(st, _):
    logits = np.array([[1000.0, -1000.0], [1000.0, -1000.0]])
    context = "softmax_cross_entropy([[1000, -1000], [1000, -1000]], labels [0, 1])"
    loss, dlogits = expect_tuple("softmax_cross_entropy", st.softmax_cross_entropy(logits, np.array([0, 1], dtype=np.int64)), 2)
    # sample 0 is right with certainty (loss 0), sample 1 wrong by 2000: the mean is 1000
    assert_value("loss", _loss_value(loss, context), 1000.0, context=context)
    assert_array("dlogits", dlogits, np.array([[0.0, 0.0], [0.5, -0.5]]), context=context)


@suite.check("q8", title="softmax_cross_entropy: dlogits matches finite differences")
def softmax_gradcheck(st, _):
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((3, 5)), np.array([4, 0, 2], dtype=np.int64)
    context = "softmax_cross_entropy vs finite differences (logits (3, 5))"
    _loss, dlogits = expect_tuple("softmax_cross_entropy", st.softmax_cross_entropy(logits, labels), 2)
    numeric = numeric_gradient(lambda z: float(_loss_value(st.softmax_cross_entropy(z, labels)[0], context)), logits, FD_STEP)
    assert_array("dlogits", dlogits, numeric, rtol=1e-5, atol=1e-6, context=context)


# ---------------------------------------------------------------- q9 the whole CNN


def _cnn_params(rng: np.random.Generator, c_in: int, c1: int, c2: int, features: int, classes: int) -> dict[str, np.ndarray]:
    return {
        "W1": 0.5 * rng.standard_normal((c1, c_in, 3, 3)),
        "b1": 0.1 * rng.standard_normal(c1),
        "W2": 0.5 * rng.standard_normal((c2, c1, 3, 3)),
        "b2": 0.1 * rng.standard_normal(c2),
        "W3": 0.5 * rng.standard_normal((classes, features)),
        "b3": 0.1 * rng.standard_normal(classes),
    }


def _cnn_call(st, x, y, params, head: str, context: str) -> tuple[float, dict]:
    loss, grads = expect_tuple("cnn_loss_and_grads", st.cnn_loss_and_grads(x, y, params, head=head), 2)
    if not isinstance(grads, dict):
        raise CheckFailure(f"{context}: grads is a {type(grads).__name__}, expected a dict with keys {', '.join(PARAM_NAMES)}")
    return _loss_value(loss, context), grads


@suite.check("q9", title="cnn_loss_and_grads with all-zero weights: loss log(K)")
def cnn_zero_weights(st, _):
    x = np.random.default_rng(0).standard_normal((2, 1, 4, 4))
    y = np.array([0, 2], dtype=np.int64)
    params = {k: np.zeros(shape) for k, shape in zip(PARAM_NAMES, [(2, 1, 3, 3), (2,), (3, 2, 3, 3), (3,), (3, 3), (3,)], strict=True)}
    context = "cnn_loss_and_grads(all-zero params, head='gap', K=3, labels [0, 2])"
    loss, grads = _cnn_call(st, x, y, params, "gap", context)
    # every logit is 0: softmax is 1/3 everywhere and only b3 gets a gradient, mean(softmax - onehot)
    assert_value("loss", loss, float(np.log(3.0)), context=context)
    expected = {k: np.zeros_like(v) for k, v in params.items()}
    expected["b3"] = np.array([1 / 3 - 1 / 2, 1 / 3, 1 / 3 - 1 / 2])
    for k in PARAM_NAMES:
        assert_array(f"grads[{k!r}]", grads.get(k), expected[k], context=context)


@suite.check("q9", [("gap", (4, 4)), ("fc", (4, 6))], title="cnn_loss_and_grads matches finite differences")
def cnn_gradcheck(st, case):
    head, size = case
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((2, 1, *size)), np.array([1, 2], dtype=np.int64)
    features = 3 if head == "gap" else 3 * (size[0] // 2) * (size[1] // 2)
    params = _cnn_params(rng, c_in=1, c1=2, c2=3, features=features, classes=3)
    context = f"cnn_loss_and_grads(head={head!r}, x {x.shape}) vs finite differences"
    _loss, grads = _cnn_call(st, x, y, params, head, context)
    for k in PARAM_NAMES:
        def loss_of(v, k=k):
            return float(_cnn_call(st, x, y, {**params, k: v}, head, context)[0])

        assert_array(f"grads[{k!r}]", grads.get(k), numeric_gradient(loss_of, params[k], FD_STEP), rtol=1e-5, atol=1e-6, context=context)
