"""hw4 public tests: shipped to students (``python check.py``) and graded with the hidden ones.

Part 1 needs only NumPy: hand-worked BatchNorm values (from the definitions in §1 of the
handout), finite-difference checks of your backward passes, and the block's bookkeeping.
Part 2 needs PyTorch: it is imported only inside those checks (through the shipped
``grading_adapter.py``), so Part 1 still runs without it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
from checklib import CheckFailure, Suite, assert_array, assert_value, expect_tuple, raised

suite = Suite(hidden=False)

HERE = Path(__file__).resolve().parent
_ADAPTER: list[Any] = []
EPS = 1e-5


def _adapter() -> Any:
    """The trusted grading_adapter module, imported by path in this process (for in-process runs)."""
    if not _ADAPTER:
        for path in (HERE / "grading_adapter.py", HERE.parent / "student" / "grading_adapter.py"):
            if path.is_file():
                spec = importlib.util.spec_from_file_location("convlab_hw4_grading_adapter", path)
                module = importlib.util.module_from_spec(spec)
                try:
                    spec.loader.exec_module(module)
                except ImportError as exc:
                    raise CheckFailure(f"Part 2 needs PyTorch ({exc}): install torch to run these checks") from None
                _ADAPTER.append(module)
                break
        else:
            raise CheckFailure("grading_adapter.py is missing: it ships with the assignment")
    return _ADAPTER[0]


def _drive(st: Any, fn: str, *args: Any, uses: tuple[str, ...] = ()) -> Any:
    """Call the adapter's ``fn`` on the student's models: in the grader's worker through the
    proxy, or here when ``st`` holds the real classes (a module namespace)."""
    for name in uses:
        getattr(st, name, None)  # the student functions this check exercises (for diagnoses)
    if isinstance(getattr(st, "BasicBlock", None), type):
        return getattr(_adapter(), fn)(*args, models=st)
    return getattr(st, fn)(*args)


def _numeric_gradient(f, value: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Centred finite differences of the scalar function f at ``value`` (f gets a copy)."""
    grad = np.zeros_like(value)
    for index in np.ndindex(value.shape):
        plus, minus = value.copy(), value.copy()
        plus[index] += h
        minus[index] -= h
        grad[index] = (f(plus) - f(minus)) / (2 * h)
    return grad


# ---------------------------------------------------------------- q1 BatchNorm forward


@suite.check("q1", title="batchnorm2d_forward by hand: a channel of two values, training")
def batchnorm_two_values(st, _):
    # x = [1, 3] in one channel: mean 2, biased variance 1, unbiased variance 2
    x = np.array([1.0, 3.0]).reshape(2, 1, 1, 1)
    context = "batchnorm2d_forward(x=[1, 3] (shape (2, 1, 1, 1)), gamma=[2], beta=[0.5], running_mean=[0], running_var=[1], training=True)"
    out, mean, var, _cache = expect_tuple("batchnorm2d_forward", st.batchnorm2d_forward(x, np.array([2.0]), np.array([0.5]), np.zeros(1), np.ones(1)), 4)
    x_hat = np.array([-1.0, 1.0]) / np.sqrt(1.0 + EPS)
    assert_array("out", out, (2 * x_hat + 0.5).reshape(2, 1, 1, 1), context=context)
    assert_array("running_mean", mean, np.array([0.9 * 0.0 + 0.1 * 2.0]), context=context)
    assert_array("running_var", var, np.array([0.9 * 1.0 + 0.1 * 2.0]), context=context + " (the update uses the unbiased variance)")


@suite.check("q1", title="batchnorm2d_forward by hand: eval mode uses the running statistics")
def batchnorm_eval(st, _):
    x = np.array([1.0, 3.0, 5.0]).reshape(1, 1, 1, 3)
    context = "batchnorm2d_forward(x=[1, 3, 5] (shape (1, 1, 1, 3)), gamma=[1], beta=[0], running_mean=[1], running_var=[4], training=False)"
    result = st.batchnorm2d_forward(x, np.ones(1), np.zeros(1), np.ones(1), np.full(1, 4.0), training=False)
    out, mean, var, _cache = expect_tuple("batchnorm2d_forward", result, 4)
    assert_array("out", out, (np.array([0.0, 2.0, 4.0]) / np.sqrt(4.0 + EPS)).reshape(1, 1, 1, 3), context=context)
    assert_array("running_mean", mean, np.ones(1), context=context + " (unchanged in eval)")
    assert_array("running_var", var, np.full(1, 4.0), context=context + " (unchanged in eval)")


@suite.check("q1", title="batchnorm2d_forward refuses one value per channel in training")
def batchnorm_one_value(st, _):
    exception = raised(st.batchnorm2d_forward, np.ones((1, 2, 1, 1)), np.ones(2), np.zeros(2), np.zeros(2), np.ones(2), training=True)
    assert_value("the exception raised", exception, "ValueError", context="batchnorm2d_forward(x of shape (1, 2, 1, 1), training=True)")


# ---------------------------------------------------------------- q2 BatchNorm backward


@suite.check("q2", [True, False], title="batchnorm2d_backward matches finite differences")
def batchnorm_gradcheck(st, training):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 2, 3, 3))
    gamma, beta, mean, var = 1 + rng.random(2), rng.standard_normal(2), rng.standard_normal(2), 0.5 + rng.random(2)
    context = f"batchnorm2d_backward vs finite differences (x (2, 2, 3, 3), training={training})"

    def loss(x_, gamma_, beta_):
        return float(np.sum(st.batchnorm2d_forward(x_, gamma_, beta_, mean, var, training=training)[0] * g))

    out, _m, _v, cache = expect_tuple("batchnorm2d_forward", st.batchnorm2d_forward(x, gamma, beta, mean, var, training=training), 4)
    g = rng.standard_normal(np.shape(out))
    dx, dgamma, dbeta = expect_tuple("batchnorm2d_backward", st.batchnorm2d_backward(g, cache), 3)
    assert_array("dx", dx, _numeric_gradient(lambda v: loss(v, gamma, beta), x), rtol=1e-5, atol=1e-6, context=context)
    assert_array("dgamma", dgamma, _numeric_gradient(lambda v: loss(x, v, beta), gamma), rtol=1e-5, atol=1e-6, context=context)
    assert_array("dbeta", dbeta, _numeric_gradient(lambda v: loss(x, gamma, v), beta), rtol=1e-5, atol=1e-6, context=context)


# ---------------------------------------------------------------- q3-q4 the block


def _block_params(rng: np.random.Generator, c_in: int, c_out: int, projection: bool) -> dict[str, np.ndarray]:
    p = {"conv1.weight": 0.4 * rng.standard_normal((c_out, c_in, 3, 3)), "conv2.weight": 0.4 * rng.standard_normal((c_out, c_out, 3, 3))}
    if projection:
        p["shortcut.0.weight"] = 0.6 * rng.standard_normal((c_out, c_in, 1, 1))
    for bn in ["bn1", "bn2"] + (["shortcut.1"] if projection else []):
        p[f"{bn}.weight"], p[f"{bn}.bias"] = 1 + 0.3 * rng.standard_normal(c_out), 0.3 * rng.standard_normal(c_out)
        p[f"{bn}.running_mean"], p[f"{bn}.running_var"] = np.zeros(c_out), np.ones(c_out)
    return p


@suite.check("q3", title="residual_block_forward: output shape and state keys")
def block_bookkeeping(st, _):
    rng = np.random.default_rng(1)
    for c_in, c_out, size, stride, out_shape in [(3, 3, (6, 6), 1, (2, 3, 6, 6)), (3, 5, (7, 5), 2, (2, 5, 4, 3))]:
        projection = stride != 1 or c_in != c_out
        params = _block_params(rng, c_in, c_out, projection)
        params["bn1.num_batches_tracked"] = np.array(4, dtype=np.int64)
        context = f"residual_block_forward(x (2, {c_in}, {size[0]}, {size[1]}), {c_in} -> {c_out} channels, stride={stride})"
        out, state, _cache = expect_tuple("residual_block_forward", st.residual_block_forward(rng.standard_normal((2, c_in, *size)), params, stride=stride), 3)
        assert_value("the output shape", tuple(np.shape(out)), out_shape, context=context)
        keys = sorted(k for k in params if "running" in k) + ["bn1.num_batches_tracked"]
        if not isinstance(state, dict):
            raise CheckFailure(f"{context}: state is a {type(state).__name__}, expected a dict")
        assert_value("the state keys", sorted(state), sorted(keys), context=context)
        assert_value("state['bn1.num_batches_tracked']", int(state["bn1.num_batches_tracked"]), 5, context=context)


@suite.check("q3", title="residual_block_forward: a missing projection raises ValueError")
def block_missing_projection(st, _):
    params = _block_params(np.random.default_rng(2), 4, 4, projection=False)
    exception = raised(st.residual_block_forward, np.zeros((1, 4, 6, 6)), params, stride=2)
    assert_value("the exception raised", exception, "ValueError", context="residual_block_forward(stride=2, params without shortcut.*)")


@suite.check("q3", title="residual_block_forward: with bn2.weight = bn2.bias = 0 an identity block returns x >= 0")
def block_zero_bn2(st, _):
    rng = np.random.default_rng(3)
    params = _block_params(rng, 3, 3, projection=False)
    params["bn2.weight"], params["bn2.bias"] = np.zeros(3), np.zeros(3)
    x = np.abs(rng.standard_normal((2, 3, 4, 5)))
    for training in (True, False):
        out, _state, _cache = expect_tuple("residual_block_forward", st.residual_block_forward(x, params, training=training), 3)
        assert_array("out", out, x, context=f"residual_block_forward(x >= 0, bn2.weight = bn2.bias = 0, training={training})")


@suite.check("q4", [(2, 2, 1), (2, 3, 2)], title="residual_block_backward matches finite differences")
def block_gradcheck(st, shape):
    c_in, c_out, stride = shape
    rng = np.random.default_rng(4)
    params = _block_params(rng, c_in, c_out, projection=stride != 1 or c_in != c_out)
    x = rng.standard_normal((2, c_in, 5, 4))
    context = f"residual_block_backward vs finite differences ({c_in} -> {c_out} channels, stride={stride}, training=True)"
    out, _state, cache = expect_tuple("residual_block_forward", st.residual_block_forward(x, params, stride=stride), 3)
    g = rng.standard_normal(np.shape(out))
    dx, grads = expect_tuple("residual_block_backward", st.residual_block_backward(g, cache), 2)

    def loss(x_, p_):
        return float(np.sum(st.residual_block_forward(x_, p_, stride=stride)[0] * g))

    assert_array("dx", dx, _numeric_gradient(lambda v: loss(v, params), x), rtol=1e-5, atol=1e-6, context=context)
    names = sorted(k for k in params if "running" not in k)
    if not isinstance(grads, dict) or sorted(grads) != names:
        raise CheckFailure(f"{context}: grads must be a dict with the keys {names}")
    for name in names:
        numeric = _numeric_gradient(lambda v, name=name: loss(x, {**params, name: v}), params[name])
        assert_array(f"grads[{name!r}]", grads[name], numeric, rtol=1e-5, atol=1e-6, context=context)


# ---------------------------------------------------------------- q5-q6 PyTorch modules


def _bn(prefix: str) -> list[str]:
    return [f"{prefix}.{k}" for k in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")]


def _block_keys(prefix: str, projection: bool) -> list[str]:
    keys = [f"{prefix}conv1.weight", *_bn(f"{prefix}bn1"), f"{prefix}conv2.weight", *_bn(f"{prefix}bn2")]
    return keys + ([f"{prefix}shortcut.0.weight", *_bn(f"{prefix}shortcut.1")] if projection else [])


@suite.check("q5", title="BasicBlock and ResNet state_dict keys (§5-§6 of the handout)")
def module_keys(st, _):
    for kind, kwargs, keys in [
        ("block", {"in_channels": 4, "out_channels": 4}, _block_keys("", False)),
        ("block", {"in_channels": 4, "out_channels": 8, "stride": 2}, _block_keys("", True)),
        ("block", {"in_channels": 4, "out_channels": 8, "stride": 2, "residual": False}, _block_keys("", False)),
        ("resnet", {}, ["stem.0.weight", *_bn("stem.1"), *_block_keys("stages.0.0.", False), *_block_keys("stages.1.0.", True), *_block_keys("stages.2.0.", True), "fc.weight", "fc.bias"]),
    ]:
        report = _drive(st, "state_dict_shapes", kind, kwargs, uses=("BasicBlock", "ResNet"))
        name = "BasicBlock" if kind == "block" else "ResNet"
        assert_value("the state_dict keys", sorted(report["shapes"]), sorted(keys), context=f"{name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})")


@suite.check("q6", title="after zero_init_residual an identity block returns its input (x >= 0)")
def zero_init_identity(st, _):
    x = np.random.default_rng(5).standard_normal((2, 8, 4, 4))
    report = _drive(st, "zero_init_report", {}, ["stages.0.0"], x, uses=("zero_init_residual",))
    for key, out in report["identity"].items():
        assert_array("the block's output", out, np.abs(x), context=f"zero_init_residual(ResNet()), then block {key} mode on x >= 0")
    assert_value("zero_init_residual returned the model", report["returned_model"], True, context="zero_init_residual(ResNet())")
