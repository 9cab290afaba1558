"""hw4 public tests: shipped to students (``python check.py``) and graded with the hidden ones.

Part 1 uses only NumPy: hand-worked BatchNorm values (from the definitions in §1 of the
handout), finite-difference checks of your backward passes, and the block's bookkeeping.
Part 2 drives your modules through the shipped ``grading_adapter.py``, which sends back
evidence (names, shapes, outputs, state_dict entries): every count and comparison is made here.
q8's check measures the test accuracy of your trained ResNet() (it counts 0 points: the graded
one evaluates your trained weights in the grader's own ResNet).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
from checklib import CheckFailure, Suite, assert_array, assert_value, expect_tuple, numeric_gradient, raised

suite = Suite(hidden=False)

HERE = Path(__file__).resolve().parent
_SUPPORT: dict[str, Any] = {}
EPS = 1e-5


def _support(name: str) -> Any:
    """A shipped support module (grading_adapter, train), imported by path in this process."""
    if name not in _SUPPORT:
        for path in (HERE / f"{name}.py", HERE.parent / "student" / f"{name}.py"):
            if path.is_file():
                spec = importlib.util.spec_from_file_location(f"convlab_hw4_{name}", path)
                module = importlib.util.module_from_spec(spec)
                try:
                    spec.loader.exec_module(module)
                except ImportError as exc:
                    raise CheckFailure(f"Part 2 needs PyTorch ({exc}): install torch to run these checks") from None
                _SUPPORT[name] = module
                break
        else:
            raise CheckFailure(f"{name}.py is missing: it ships with the assignment")
    return _SUPPORT[name]


def _drive(st: Any, fn: str, *args: Any, uses: tuple[str, ...] = ()) -> Any:
    """Call the adapter's ``fn`` on the student's models: in the grader's worker through the
    proxy, or here when ``st`` holds the real classes (a module namespace)."""
    for name in uses:
        getattr(st, name, None)  # the student functions this check exercises (for diagnoses)
    if isinstance(getattr(st, "BasicBlock", None), type):
        return getattr(_support("grading_adapter"), fn)(*args, models=st)
    return getattr(st, fn)(*args)


def _as_int(value: Any) -> Any:
    """A 0-d integer array as an int (to compare it with assert_value); anything else unchanged."""
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iu":
        return int(value)
    return value


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
    assert_array("dx", dx, numeric_gradient(lambda v: loss(v, gamma, beta), x), rtol=1e-5, atol=1e-6, context=context)
    assert_array("dgamma", dgamma, numeric_gradient(lambda v: loss(x, v, beta), gamma), rtol=1e-5, atol=1e-6, context=context)
    assert_array("dbeta", dbeta, numeric_gradient(lambda v: loss(x, gamma, v), beta), rtol=1e-5, atol=1e-6, context=context)


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
        assert_value("state['bn1.num_batches_tracked']", _as_int(state.get("bn1.num_batches_tracked")), 5, context=context + " (an integer: a 0-d integer array or an int)")


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

    assert_array("dx", dx, numeric_gradient(lambda v: loss(v, params), x), rtol=1e-5, atol=1e-6, context=context)
    names = sorted(k for k in params if "running" not in k)
    if not isinstance(grads, dict) or sorted(grads) != names:
        raise CheckFailure(f"{context}: grads must be a dict with the keys {names}")
    for name in names:
        numeric = numeric_gradient(lambda v, name=name: loss(x, {**params, name: v}), params[name])
        assert_array(f"grads[{name!r}]", grads[name], numeric, rtol=1e-5, atol=1e-6, context=context)


# ---------------------------------------------------------------- q5-q8 PyTorch modules
# The grading adapter sends back evidence (names, shapes, outputs, state_dict entries); every
# count and comparison below is made here, never in the code that runs beside your models.


def _bn(prefix: str) -> list[str]:
    return [f"{prefix}.{k}" for k in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")]


def _block_keys(prefix: str, projection: bool) -> list[str]:
    keys = [f"{prefix}conv1.weight", *_bn(f"{prefix}bn1"), f"{prefix}conv2.weight", *_bn(f"{prefix}bn2")]
    return keys + ([f"{prefix}shortcut.0.weight", *_bn(f"{prefix}shortcut.1")] if projection else [])


def _layout(st: Any, kind: str, kwargs: dict) -> tuple[dict, list]:
    layout = _drive(st, "module_layout", kind, kwargs, uses=("BasicBlock", "ResNet"))
    return dict(layout["state_dict"]), [(str(name), tuple(shape)) for name, shape in layout["parameters"]]


# §5-§6: a block has 9*C_in*C_out + 9*C_out**2 + 4*C_out parameters (two convolutions, two
# BatchNorms with a weight and a bias each), plus C_in*C_out + 2*C_out with a projection
MODULES = [
    ("block", {"in_channels": 4, "out_channels": 4}, _block_keys("", False), 9 * 16 + 9 * 16 + 16),
    ("block", {"in_channels": 4, "out_channels": 8, "stride": 2}, _block_keys("", True), 9 * 32 + 9 * 64 + 32 + 32 + 16),
    ("block", {"in_channels": 4, "out_channels": 8, "stride": 2, "residual": False}, _block_keys("", False), 9 * 32 + 9 * 64 + 32),
    (
        "resnet",
        {},
        ["stem.0.weight", *_bn("stem.1"), *_block_keys("stages.0.0.", False), *_block_keys("stages.1.0.", True), *_block_keys("stages.2.0.", True), "fc.weight", "fc.bias"],
        # stem 9*1*8 + 2*8, blocks 8->8, 8->16 (projection), 16->32 (projection), fc 33*10
        88 + 1184 + 3680 + 14528 + 330,
    ),
]


@suite.check("q5", title="BasicBlock and ResNet state_dict keys and parameter counts (§5-§6 of the handout)")
def module_keys(st, _):
    for kind, kwargs, keys, count in MODULES:
        shapes, parameters = _layout(st, kind, kwargs)
        context = f"{'BasicBlock' if kind == 'block' else 'ResNet'}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
        assert_value("the state_dict keys", sorted(shapes), sorted(keys), context=context)
        assert_value("the number of parameters", sum(int(np.prod(shape, dtype=np.int64)) for _, shape in parameters), count, context=context)


@suite.check("q6", title="after zero_init_residual an identity block returns its input (x >= 0)")
def zero_init_identity(st, _):
    x = np.random.default_rng(5).standard_normal((2, 8, 4, 4))
    before = _random_state(st, 6)
    report = _drive(st, "zero_init_evidence", {}, before, "fc.bias", np.arange(10.0), ["stages.0.0"], x, uses=("zero_init_residual",))
    for key, out in report["identity"].items():
        assert_array("the block's output", out, np.abs(x), context=f"zero_init_residual(ResNet()), then block {key} mode on x >= 0")


def _random_state(st: Any, seed: int) -> dict[str, np.ndarray]:
    """Values for every state_dict entry of your ResNet(), all different from 0 (integers for
    the num_batches_tracked counters), so that what zero_init_residual changes is visible."""
    rng = np.random.default_rng(seed)
    shapes, _ = _layout(st, "resnet", {})
    return {k: np.array(7, dtype=np.int64) if k.endswith("num_batches_tracked") else 0.5 + rng.random(shape) for k, shape in shapes.items()}


@suite.check("q6", title="zero_init_residual changes only the bn2.weight entries and returns the model")
def zero_init_changes(st, _):
    before = _random_state(st, 7)
    probe = np.random.default_rng(8).standard_normal(10)
    report = _drive(st, "zero_init_evidence", {}, before, "fc.bias", probe, [], np.zeros((1, 8, 2, 2)), uses=("zero_init_residual",))
    after = report["after"]
    context = "zero_init_residual(ResNet() holding values in [0.5, 1.5])"
    changed = sorted(k for k in before if k not in after or not np.allclose(after[k], before[k], rtol=1e-9, atol=1e-12))
    assert_value("the state_dict entries it changed", changed, sorted(k for k in before if k.endswith("bn2.weight")), context=context)
    for key in changed:
        assert_array(key, after[key], np.zeros(np.shape(before[key])), context=context)
    returned = report["returned"]
    # the probe is written into the model after the call and read back through what it returned
    if not (isinstance(returned, np.ndarray) and returned.shape == probe.shape and np.allclose(returned, probe)):
        raise CheckFailure(f"{context}: it returned a {report.get('returned type')}, not the model it was given")


DIGIT_X = np.random.default_rng(9).standard_normal((6, 1, 8, 8))
DIGIT_Y = np.array([3, 1, 4, 1, 5, 9], dtype=np.int64)
RESNET_CONVS = [
    "stem.0.weight", "stages.0.0.conv1.weight", "stages.0.0.conv2.weight",
    "stages.1.0.conv1.weight", "stages.1.0.conv2.weight", "stages.1.0.shortcut.0.weight",
    "stages.2.0.conv1.weight", "stages.2.0.conv2.weight", "stages.2.0.shortcut.0.weight",
]  # fmt: skip


def _norms(st: Any, kind: str, kwargs: dict, training: bool, stale: bool) -> tuple[dict, list[str], np.ndarray]:
    report = _drive(st, "gradient_norms_evidence", kind, kwargs, None, DIGIT_X, DIGIT_Y, training, stale, uses=("gradient_norms",))
    pairs = report["pairs"]
    context = f"gradient_norms({'ResNet()' if kind == 'resnet' else 'train.deep_net(...)'} in {'train' if training else 'eval'} mode)"
    if not isinstance(pairs, list) or not all(isinstance(p, tuple) and len(p) == 2 for p in pairs):
        raise CheckFailure(f"{context}: expected a list of (name, norm) pairs, got {pairs!r:.200}")
    for name, norm in pairs:
        if not isinstance(name, str) or not isinstance(norm, (float, np.floating)) or not norm >= 0:
            raise CheckFailure(f"{context}: the pair ({name!r}, {norm!r}) is not (a str, a float >= 0)")
    return report, [name for name, _ in pairs], np.array([float(norm) for _, norm in pairs])


@suite.check("q7", title="gradient_norms: one pair per conv weight, in the model's named_parameters() order")
def norms_names(st, _):
    _shapes, parameters = _layout(st, "resnet", {})
    convs = [name for name, shape in parameters if len(shape) == 4]  # in ResNet() the 4-d parameters are the conv weights
    assert_value("the conv weights of ResNet()", sorted(convs), sorted(RESNET_CONVS), context="ResNet().named_parameters()")
    _report, names, _values = _norms(st, "resnet", {}, True, True)
    assert_value("the names", names, convs, context="gradient_norms(ResNet(), x, y): in the order of model.named_parameters()")


@suite.check("q7", [True, False], title="gradient_norms discards earlier gradients and keeps the model's mode")
def norms_stale_and_mode(st, training):
    mode = "train" if training else "eval"
    for kind, kwargs in [("resnet", {}), ("deep", {"depth": 6, "residual": True, "batchnorm": True})]:
        context = f"gradient_norms({'ResNet()' if kind == 'resnet' else 'train.deep_net(6, residual=True, batchnorm=True)'}, {mode} mode)"
        fresh, _, norms = _norms(st, kind, kwargs, training, stale=False)
        stale, _, norms_after_stale = _norms(st, kind, kwargs, training, stale=True)
        # the same model, x and y: gradients left by an earlier backward must not change the norms
        assert_array("the norms with earlier gradients present", norms_after_stale, norms, rtol=1e-10, atol=1e-12, context=context + " (do you zero the gradients first?)")
        # a forward after the call, in the mode the call left the model in, gives the same
        # output as the forward before it, if and only if the mode was kept
        for report in (fresh, stale):
            assert_array("the model's output after the call", report["out after"], report["out before"], rtol=1e-10, atol=1e-12, context=context + " (is the model still in its mode?)")


@suite.check("q8", title="ResNet() trained by train.py: test accuracy of the trained weights (not graded here)", weight=0.0, timeout=120)
def it_trains(st, _):
    """On your machine (python check.py) this trains your ResNet() with train.py, loads the
    trained state_dict into a fresh ResNet() and measures its test accuracy here. It counts for
    no points: the graded q8 check loads your trained weights into the grader's own ResNet."""
    train = _support("train")
    state = _drive(st, "trained_state", 10, uses=("ResNet",))
    _x_train, _y_train, x_test, y_test = train.digits()
    logits = _drive(st, "logits_with_weights", "resnet", {}, state, x_test.numpy().astype(np.float64))
    accuracy = float(np.mean(np.argmax(logits, axis=1) == y_test.numpy()))
    if not accuracy >= 0.95:
        raise CheckFailure(f"ResNet() trained for 10 epochs by train.py (seed 0), then loaded into a fresh ResNet(): test accuracy {accuracy:.3f}, expected at least 0.95")
