"""hw4 practice checks: what ``python check.py --torch`` runs on random configurations (not graded).

Part 1 (``resnet.py``) is compared with PyTorch: BatchNorm with ``F.batch_norm`` and autograd
(random shapes, momentum, eps, train and eval mode, running statistics), the basic block with
the same block written as ``torch.nn.functional`` calls (§3's formula) and autograd.

Part 2 (``models.py``) gets *property checks* only, because the only reference for them would
be the answer itself: state_dict keys and shapes (§3, §5, §6), parameter counts from the
handout's formula, output shapes, your BasicBlock agreeing with your own residual_block_forward,
global average pooling, zero_init_residual leaving identity blocks, gradient_norms' names,
order, stale gradients and mode. check.py prints the seed; ``--seed N`` replays it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from checklib import CheckFailure, PracticeSuite, assert_array, assert_value, expect_tuple, raised
from torch import nn

suite = PracticeSuite()
torch.set_num_threads(1)
HERE = Path(__file__).resolve().parent
_TRAIN: list[Any] = []


def _train() -> Any:
    """The shipped train.py (its deep test networks), imported by path."""
    if not _TRAIN:
        path = next(p for p in (HERE / "train.py", HERE.parent / "student" / "train.py") if p.is_file())
        spec = importlib.util.spec_from_file_location("convlab_hw4_practice_train", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _TRAIN.append(module)
    return _TRAIN[0]


def _t(a: Any, grad: bool = False) -> torch.Tensor:
    """``a`` as a float64 CPU tensor."""
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


def _a(t: torch.Tensor) -> np.ndarray:
    t = t.detach()
    return t.numpy().astype(np.float64 if t.is_floating_point() else np.int64)


# ---------------------------------------------------------------- q1-q2 BatchNorm


def _bn_draw(rng: np.random.Generator) -> tuple[tuple[np.ndarray, ...], dict, str]:
    """x, gamma, beta, running mean and variance, and the keyword arguments of one call."""
    n, c, h, w = (int(v) for v in (rng.integers(1, 5), rng.integers(1, 6), rng.integers(1, 6), rng.integers(1, 6)))
    training = bool(rng.random() < 0.6)
    if training and n * h * w == 1:
        h = 2  # one value per channel is refused in training (checked on its own below)
    kwargs: dict = {"training": training}
    if rng.random() < 0.5:
        kwargs["momentum"] = round(float(rng.uniform(0.01, 0.9)), 3)
    if rng.random() < 0.5:
        kwargs["eps"] = float(10.0 ** rng.integers(-6, 0))
    scale, shift = float(rng.uniform(0.2, 3.0)), float(rng.normal(0, 2))
    arrays = (
        scale * rng.standard_normal((n, c, h, w)) + shift,
        1 + 0.4 * rng.standard_normal(c),
        0.4 * rng.standard_normal(c),
        0.5 * rng.standard_normal(c),
        0.3 + rng.random(c),
    )
    settings = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return arrays, kwargs, f"x of shape {(n, c, h, w)}, {settings}"


def _torch_bn(arrays: tuple[np.ndarray, ...], kwargs: dict) -> tuple[tuple[torch.Tensor, ...], torch.Tensor, torch.Tensor, torch.Tensor]:
    x, gamma, beta = (_t(a, grad=True) for a in arrays[:3])
    mean, var = _t(arrays[3]), _t(arrays[4])  # F.batch_norm updates these in place in training
    momentum, eps = kwargs.get("momentum", 0.1), kwargs.get("eps", 1e-5)
    y = F.batch_norm(x, mean, var, gamma, beta, training=kwargs["training"], momentum=momentum, eps=eps)
    return (x, gamma, beta), y, mean, var


@suite.practice("q1", title="batchnorm2d_forward", compares_with="torch.nn.functional.batch_norm", draws=12)
def batchnorm_forward(st, rng: np.random.Generator) -> None:
    arrays, kwargs, label = _bn_draw(rng)
    context = f"batchnorm2d_forward[{label}]"
    out, mean, var, _cache = expect_tuple("batchnorm2d_forward", st.batchnorm2d_forward(*arrays, **kwargs), 4)
    _inputs, want, want_mean, want_var = _torch_bn(arrays, kwargs)
    assert_array("out", out, _a(want), context=context)
    assert_array("running_mean", mean, _a(want_mean), context=context)
    assert_array("running_var", var, _a(want_var), context=context)
    c = arrays[0].shape[1]
    single = np.ones((1, c, 1, 1))
    refused = raised(st.batchnorm2d_forward, single, np.ones(c), np.zeros(c), np.zeros(c), np.ones(c), training=True)
    assert_value("the exception raised", refused, "ValueError", context=f"batchnorm2d_forward(x of shape {single.shape}, training=True): one value per channel")


@suite.practice("q2", title="batchnorm2d_backward", compares_with="autograd through torch.nn.functional.batch_norm", draws=12)
def batchnorm_backward(st, rng: np.random.Generator) -> None:
    arrays, kwargs, label = _bn_draw(rng)
    context = f"batchnorm2d_backward[{label}]"
    out, _mean, _var, cache = expect_tuple("batchnorm2d_forward", st.batchnorm2d_forward(*arrays, **kwargs), 4)
    dout = rng.standard_normal(arrays[0].shape)
    dx, dgamma, dbeta = expect_tuple("batchnorm2d_backward", st.batchnorm2d_backward(dout, cache), 3)
    (x, gamma, beta), want, _m, _v = _torch_bn(arrays, kwargs)
    want.backward(_t(dout))
    assert_array("dx", dx, _a(x.grad), context=context)
    assert_array("dgamma", dgamma, _a(gamma.grad), context=context)
    assert_array("dbeta", dbeta, _a(beta.grad), context=context)


# ---------------------------------------------------------------- q3-q4 the block in NumPy

BN_ENTRIES = ("weight", "bias", "running_mean", "running_var")


def _block_draw(rng: np.random.Generator) -> tuple[np.ndarray, dict[str, np.ndarray], int, bool, str]:
    """x, params keyed like the block's state_dict(), stride, training, and a label."""
    c_in = int(rng.integers(1, 5))
    c_out = c_in if rng.random() < 0.4 else int(rng.integers(1, 6))
    stride = int(rng.choice([1, 2]))
    n, h, w = int(rng.integers(1, 4)), int(rng.integers(2, 7)), int(rng.integers(2, 7))
    training = bool(rng.random() < 0.6)
    tracked = bool(rng.random() < 0.5)
    if training and n * ((h - 1) // stride + 1) * ((w - 1) // stride + 1) == 1:
        n = 2
    layers = ["bn1", "bn2"] + (["shortcut.1"] if stride != 1 or c_in != c_out else [])
    params = {"conv1.weight": 0.5 * rng.standard_normal((c_out, c_in, 3, 3)), "conv2.weight": 0.5 * rng.standard_normal((c_out, c_out, 3, 3))}
    if "shortcut.1" in layers:
        params["shortcut.0.weight"] = 0.7 * rng.standard_normal((c_out, c_in, 1, 1))
    for layer in layers:
        params[f"{layer}.weight"] = 1 + 0.3 * rng.standard_normal(c_out)
        params[f"{layer}.bias"] = 0.3 * rng.standard_normal(c_out)
        params[f"{layer}.running_mean"] = 0.3 * rng.standard_normal(c_out)
        params[f"{layer}.running_var"] = 0.5 + rng.random(c_out)
        if tracked:
            params[f"{layer}.num_batches_tracked"] = np.array(int(rng.integers(0, 9)), dtype=np.int64)
    label = f"N={n}, C_in={c_in}, C_out={c_out}, input {h}x{w}, stride={stride}, training={training}"
    return rng.standard_normal((n, c_in, h, w)), params, stride, training, label + (", with num_batches_tracked" if tracked else "")


def _functional_block(x: torch.Tensor, p: dict[str, np.ndarray], stride: int, training: bool) -> tuple[torch.Tensor, dict, dict]:
    """§3's formula with torch.nn.functional: the output, the new buffers, the parameter tensors."""
    weights = {k: _t(v, grad=True) for k, v in p.items() if k.endswith("weight") or k.endswith("bias")}
    buffers: dict[str, torch.Tensor] = {}

    def norm(h: torch.Tensor, layer: str) -> torch.Tensor:
        stats = [_t(p[f"{layer}.running_mean"]), _t(p[f"{layer}.running_var"])]
        y = F.batch_norm(h, *stats, weights[f"{layer}.weight"], weights[f"{layer}.bias"], training=training, momentum=0.1, eps=1e-5)
        buffers[f"{layer}.running_mean"], buffers[f"{layer}.running_var"] = stats
        if f"{layer}.num_batches_tracked" in p:
            buffers[f"{layer}.num_batches_tracked"] = torch.tensor(int(p[f"{layer}.num_batches_tracked"]) + int(training))
        return y

    main = F.relu(norm(F.conv2d(x, weights["conv1.weight"], stride=stride, padding=1), "bn1"))
    main = norm(F.conv2d(main, weights["conv2.weight"], stride=1, padding=1), "bn2")
    if "shortcut.0.weight" in p:
        skip = norm(F.conv2d(x, weights["shortcut.0.weight"], stride=stride), "shortcut.1")
    else:
        skip = x
    return torch.relu(main + skip), buffers, weights


@suite.practice("q3", title="residual_block_forward", compares_with="torch.nn.functional (conv2d, batch_norm, relu)", draws=16)
def block_forward(st, rng: np.random.Generator) -> None:
    x, params, stride, training, label = _block_draw(rng)
    context = f"residual_block_forward[{label}]"
    out, state, _cache = expect_tuple("residual_block_forward", st.residual_block_forward(x, params, stride=stride, training=training), 3)
    want, buffers, _weights = _functional_block(_t(x), params, stride, training)
    assert_array("out", out, _a(want), context=context)
    if not isinstance(state, dict):
        raise CheckFailure(f"{context}: state is a {type(state).__name__}, expected a dict")
    assert_value("the state keys", sorted(state), sorted(buffers), context=context)
    for key, value in buffers.items():
        got = state[key]
        if "num_batches_tracked" in key:
            integer = isinstance(got, (int, np.integer)) or (isinstance(got, np.ndarray) and got.shape == () and got.dtype.kind in "iu")
            if not integer or isinstance(got, bool):
                raise CheckFailure(f"{context}: state[{key!r}] is {got!r}, expected an integer (a 0-d integer array or an int)")
            assert_value(f"state[{key!r}]", int(got), int(value), context=context)
        else:
            assert_array(f"state[{key!r}]", got, _a(value), context=context)


@suite.practice("q3", title="residual_block_forward refuses a missing or unneeded projection", draws=8)
def block_wrong_shortcut(st, rng: np.random.Generator) -> None:
    x, params, stride, training, label = _block_draw(rng)
    projection = "shortcut.0.weight" in params
    if projection:  # drop it, or keep it and ask for the block that needs none (same channels, stride 1)
        drop = bool(rng.random() < 0.5) or params["conv1.weight"].shape[0] != params["conv1.weight"].shape[1]
        bad = {k: v for k, v in params.items() if not k.startswith("shortcut.")} if drop else params
        bad_stride = stride if drop else 1
    else:
        bad, bad_stride = params, 2  # the same channels at stride 2 need a projection
    context = f"residual_block_forward[{label}, called with stride={bad_stride} and {'shortcut.* keys' if 'shortcut.0.weight' in bad else 'no shortcut.* keys'}]"
    try:
        st.residual_block_forward(x, bad, stride=bad_stride, training=training)
    except NotImplementedError:
        raise
    except ValueError as exc:
        if "shortcut" not in f"{exc}":
            raise CheckFailure(f"{context}: the ValueError does not name the shortcut.* keys: {exc}") from None
        return
    except Exception as other:  # noqa: BLE001 - the wrong kind of exception
        raise CheckFailure(f"{context}: raised {type(other).__name__}, expected a ValueError that names the shortcut.* keys") from None
    raise CheckFailure(f"{context}: returned normally, expected a ValueError that names the shortcut.* keys")


@suite.practice("q4", title="residual_block_backward", compares_with="autograd through the torch.nn.functional block", draws=16)
def block_backward(st, rng: np.random.Generator) -> None:
    x, params, stride, training, label = _block_draw(rng)
    context = f"residual_block_backward[{label}]"
    out, _state, cache = expect_tuple("residual_block_forward", st.residual_block_forward(x, params, stride=stride, training=training), 3)
    dout = rng.standard_normal(np.shape(out))
    dx, grads = expect_tuple("residual_block_backward", st.residual_block_backward(dout, cache), 2)
    xt = _t(x, grad=True)
    want, _buffers, weights = _functional_block(xt, params, stride, training)
    want.backward(_t(dout))
    assert_array("dx", dx, _a(xt.grad), context=context)
    if not isinstance(grads, dict) or not all(isinstance(k, str) for k in grads):
        raise CheckFailure(f"{context}: grads is a {type(grads).__name__}, expected a dict keyed like named_parameters()")
    assert_value("the grads keys", sorted(grads), sorted(weights), context=context)
    for key, tensor in weights.items():
        assert_array(f"grads[{key!r}]", grads[key], _a(tensor.grad), context=context)


# ---------------------------------------------------------------- q5 BasicBlock and ResNet (properties)


def _bn_keys(prefix: str) -> list[str]:
    return [f"{prefix}.{k}" for k in (*BN_ENTRIES, "num_batches_tracked")]


def _expected_block(prefix: str, c_in: int, c_out: int, stride: int, residual: bool) -> dict[str, tuple[int, ...]]:
    """§3's table: every state_dict key of a block and its shape."""
    shapes: dict[str, tuple[int, ...]] = {f"{prefix}conv1.weight": (c_out, c_in, 3, 3)}
    for key in _bn_keys(f"{prefix}bn1"):
        shapes[key] = () if key.endswith("tracked") else (c_out,)
    shapes[f"{prefix}conv2.weight"] = (c_out, c_out, 3, 3)
    for key in _bn_keys(f"{prefix}bn2") + (_bn_keys(f"{prefix}shortcut.1") if residual and (stride != 1 or c_in != c_out) else []):
        shapes[key] = () if key.endswith("tracked") else (c_out,)
    if f"{prefix}shortcut.1.weight" in shapes:
        shapes[f"{prefix}shortcut.0.weight"] = (c_out, c_in, 1, 1)
    return shapes


def _block_count(c_in: int, c_out: int, stride: int, residual: bool) -> int:
    """The handout's parameter count of a block (§5)."""
    count = 9 * c_in * c_out + 9 * c_out * c_out + 4 * c_out
    return count + (c_in * c_out + 2 * c_out if residual and (stride != 1 or c_in != c_out) else 0)


def _resnet_plan(rng: np.random.Generator) -> dict:
    stages = int(rng.integers(1, 4))
    return {
        "in_channels": int(rng.integers(1, 4)),
        "num_classes": int(rng.integers(2, 11)),
        "channels": tuple(int(c) for c in rng.integers(2, 9, stages)),
        "blocks_per_stage": tuple(int(b) for b in rng.integers(1, 3, stages)),
        "residual": bool(rng.random() < 0.7),
    }


def _expected_resnet(plan: dict) -> tuple[dict[str, tuple[int, ...]], int]:
    """§6: every state_dict key of ResNet(**plan) with its shape, and its parameter count."""
    c0 = plan["channels"][0]
    shapes = {"stem.0.weight": (c0, plan["in_channels"], 3, 3), **{k: () if k.endswith("tracked") else (c0,) for k in _bn_keys("stem.1")}}
    count, width = 9 * plan["in_channels"] * c0 + 2 * c0, c0
    for s, (c, blocks) in enumerate(zip(plan["channels"], plan["blocks_per_stage"], strict=True)):
        for b in range(blocks):
            stride = 2 if s > 0 and b == 0 else 1
            shapes.update(_expected_block(f"stages.{s}.{b}.", width, c, stride, plan["residual"]))
            count += _block_count(width, c, stride, plan["residual"])
            width = c
    shapes["fc.weight"], shapes["fc.bias"] = (plan["num_classes"], width), (plan["num_classes"],)
    return shapes, count + (width + 1) * plan["num_classes"]


def _randomize(module: nn.Module, rng: np.random.Generator) -> None:
    """Every floating state_dict entry set to a random value (BatchNorm variances positive)."""
    with torch.no_grad():
        for key, value in module.state_dict().items():
            if value.is_floating_point():
                fresh = rng.standard_normal(tuple(value.shape))
                value.copy_(torch.from_numpy(0.5 + np.abs(fresh) if key.endswith("running_var") else fresh))


def _layout_problems(module: nn.Module, shapes: dict[str, tuple[int, ...]], count: int, context: str) -> None:
    got = {k: tuple(v.shape) for k, v in module.state_dict().items()}
    assert_value("the state_dict keys", sorted(got), sorted(shapes), context=context)
    for key, shape in shapes.items():
        assert_value(f"the shape of {key!r}", got[key], shape, context=context)
    assert_value("the number of parameters", sum(p.numel() for p in module.parameters()), count, context=context)


@suite.practice("q5", title="BasicBlock: keys, shapes, parameter count, and your residual_block_forward on the same weights", draws=12)
def basic_block(st, rng: np.random.Generator) -> None:
    c_in, c_out, stride = int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.choice([1, 2]))
    if rng.random() < 0.3:
        c_out = c_in
    residual = bool(rng.random() < 0.75)
    context = f"BasicBlock({c_in}, {c_out}, stride={stride}, residual={residual})"
    torch.manual_seed(int(rng.integers(1 << 30)))
    block = st.BasicBlock(c_in, c_out, stride=stride, residual=residual).to(torch.float64)
    _layout_problems(block, _expected_block("", c_in, c_out, stride, residual), _block_count(c_in, c_out, stride, residual), context)
    if not residual and hasattr(block, "shortcut"):
        raise CheckFailure(f"{context}: the plain block has a shortcut attribute (§5: no shortcut at all)")
    n, h, w = 2, int(rng.integers(2, 7)), int(rng.integers(2, 7))
    x = rng.standard_normal((n, c_in, h, w))
    _randomize(block, rng)
    for training in (True, False):
        params = {k: _a(v) for k, v in block.state_dict().items()}  # a forward in train mode updates them
        block.train(training)
        with torch.no_grad():
            out = _a(block(_t(x)))
        mode = f"{context}, {'train' if training else 'eval'} mode, x of shape {x.shape}"
        assert_value("the output shape", out.shape, (n, c_out, (h - 1) // stride + 1, (w - 1) // stride + 1), context=mode)
        if not residual:
            continue
        try:  # Part 1 on the same weights (skipped while residual_block_forward is not written)
            mine, _state, _cache = expect_tuple("residual_block_forward", st.residual_block_forward(x, params, stride=stride, training=training), 3)
        except NotImplementedError:
            return
        assert_array("your BasicBlock's output vs your residual_block_forward's", out, mine, context=mode + " (if Part 1's --torch checks pass, the bug is in BasicBlock)")


@suite.practice("q5", title="ResNet: keys, shapes, parameter count, strides, global average pooling", draws=8)
def resnet(st, rng: np.random.Generator) -> None:
    plan = _resnet_plan(rng)
    context = "ResNet(" + ", ".join(f"{k}={v!r}" for k, v in plan.items()) + ")"
    torch.manual_seed(int(rng.integers(1 << 30)))
    model = st.ResNet(**plan).to(torch.float64)
    _layout_problems(model, *_expected_resnet(plan), context)
    model.eval()
    n, h, w = 3, int(rng.integers(4, 10)), int(rng.integers(4, 10))
    x = _t(rng.standard_normal((n, plan["in_channels"], h, w)))
    with torch.no_grad():
        logits, features = model(x), model.stages(model.stem(x))
        pooled = model.fc(features.mean(dim=(-2, -1)))  # §6: global average pooling, then fc
        stem_by_hand = F.relu(model.stem[1](model.stem[0](x)))  # §6: the stem is conv, BatchNorm, ReLU
    assert_array("the stem's output", _a(model.stem(x)), _a(stem_by_hand), context=f"{context}, eval mode: stem(x) vs ReLU(stem[1](stem[0](x)))")
    assert_value("the logits' shape", tuple(logits.shape), (n, plan["num_classes"]), context=context)
    size = [h, w]
    for _stage in plan["channels"][1:]:
        size = [(s - 1) // 2 + 1 for s in size]  # the first block of every later stage has stride 2
    assert_value("the shape after the stages", tuple(features.shape), (n, plan["channels"][-1], *size), context=f"{context}, x of shape {tuple(x.shape)}")
    assert_array("the logits", _a(logits), _a(pooled), context=f"{context}, eval mode: model(x) vs fc(mean over H, W of stages(stem(x)))")


# ---------------------------------------------------------------- q6 zero_init_residual (properties)


@suite.practice("q6", title="zero_init_residual: only bn2.weight becomes 0, identity blocks return x >= 0", draws=6)
def zero_init(st, rng: np.random.Generator) -> None:
    plan = _resnet_plan(rng)
    plan["residual"] = True
    if rng.random() < 0.5:
        plan["blocks_per_stage"] = tuple(2 for _ in plan["channels"])  # so that identity blocks exist
    context = "zero_init_residual(ResNet(" + ", ".join(f"{k}={v!r}" for k, v in plan.items()) + "))"
    torch.manual_seed(int(rng.integers(1 << 30)))
    model = st.ResNet(**plan).to(torch.float64)
    _randomize(model, rng)
    before = {k: _a(v) for k, v in model.state_dict().items()}
    returned = st.zero_init_residual(model)
    if returned is not model:
        raise CheckFailure(f"{context}: returned a {type(returned).__name__}, not the model it was given")
    after = {k: _a(v) for k, v in model.state_dict().items()}
    changed = sorted(k for k in before if not np.allclose(after[k], before[k], rtol=1e-9, atol=1e-12))
    assert_value("the entries it changed", changed, sorted(k for k in before if k.endswith("bn2.weight")), context=context)
    for key in changed:
        assert_array(key, after[key], np.zeros_like(before[key]), context=context)
    torch.manual_seed(int(rng.integers(1 << 30)))
    fresh = st.zero_init_residual(st.ResNet(**plan).to(torch.float64))
    for name, block in fresh.named_modules():
        keys = [k for k in block.state_dict()] if isinstance(block, st.BasicBlock) else []
        if not keys or any(k.startswith("shortcut.") for k in keys):
            continue
        c = block.state_dict()["conv1.weight"].shape[1]
        x = np.abs(rng.standard_normal((2, c, 5, 4)))
        for training in (True, False):
            block.train(training)
            with torch.no_grad():
                out = _a(block(_t(x)))
            assert_array("the block's output", out, x, context=f"{context}: block {name} ({'train' if training else 'eval'} mode) on x >= 0")


# ---------------------------------------------------------------- q7 gradient_norms (properties)


def _norm_model(st, rng: np.random.Generator) -> tuple[nn.Module, str, int]:
    if rng.random() < 0.5:
        plan = _resnet_plan(rng)
        plan["in_channels"] = 1
        torch.manual_seed(int(rng.integers(1 << 30)))
        return st.ResNet(**plan).to(torch.float64), "ResNet(" + ", ".join(f"{k}={v!r}" for k, v in plan.items()) + ")", plan["num_classes"]
    depth, residual, batchnorm = int(rng.choice([4, 6, 8, 10])), bool(rng.random() < 0.5), bool(rng.random() < 0.5)
    net = _train().deep_net(depth, residual, batchnorm=batchnorm, seed=int(rng.integers(100)))
    return net, f"train.deep_net({depth}, residual={residual}, batchnorm={batchnorm})", 10


@suite.practice("q7", title="gradient_norms: names, order, stale gradients, mode", draws=10)
def gradient_norms(st, rng: np.random.Generator) -> None:
    model, label, classes = _norm_model(st, rng)
    training = bool(rng.random() < 0.5)
    model.train(training)
    context = f"gradient_norms({label} in {'train' if training else 'eval'} mode)"
    x, y = _t(rng.standard_normal((4, 1, 8, 8))), torch.from_numpy(rng.integers(0, classes, 4))
    convs = [m.weight for m in model.modules() if isinstance(m, nn.Conv2d)]
    names = [name for name, p in model.named_parameters() if any(p is w for w in convs)]
    model(x).pow(3).sum().backward()  # gradients of another loss, left behind
    modes = [m.training for m in model.modules()]
    first = st.gradient_norms(model, x, y)
    if [m.training for m in model.modules()] != modes:
        raise CheckFailure(f"{context}: the call changed the mode of the model or of its submodules (§8: do not call train()/eval())")
    if not isinstance(first, list) or not all(isinstance(p, tuple) and len(p) == 2 for p in first):
        raise CheckFailure(f"{context}: expected a list of (name, norm) pairs, got {first!r:.200}")
    assert_value("the names", [p[0] for p in first], names, context=context + ": one per nn.Conv2d weight, in the order of model.named_parameters()")
    for name, norm in first:
        if not isinstance(norm, float) or not norm >= 0:
            raise CheckFailure(f"{context}: the norm of {name!r} is {norm!r} ({type(norm).__name__}), expected a float >= 0")
    again = st.gradient_norms(model, x, y)  # the first call's gradients are now the stale ones
    norms = np.array([norm for _, norm in first])
    assert_array("the norms of a second call", np.array([float(n) for _, n in again]), norms, rtol=1e-10, atol=1e-12, context=context + " (earlier gradients must be discarded)")
