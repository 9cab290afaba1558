"""hw6 practice checks: ``python check.py --torch`` compares your functions with PyTorch.

Not graded. Every run draws fresh random configurations (the seed is printed; ``--seed N``
replays a run) from the same families as the grader's hidden tests, and compares:

- zero insertion with ``F.conv_transpose1d/2d`` and decimation with ``F.conv1d/2d``, each with a
  one-tap kernel of ones per channel (``groups=C``, ``stride=factor``), gradients by autograd;
- the transposed convolutions with ``F.conv_transpose1d/2d`` and autograd (a layer torch refuses
  must raise ValueError);
- ``overlap_counts`` with ``F.conv_transpose1d`` of ones;
- the scanning-MLP conversions by running your layers with ``F.conv1d`` (ReLU between) and the
  MLP with ``F.linear`` on every window, plus the shapes, strides and counts of the handout's §5.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from checklib import CheckFailure, PracticeSuite, assert_array, assert_value, expect_tuple, raised
from torch.nn import functional as F

torch.set_num_threads(1)
suite = PracticeSuite()


def _t(a: np.ndarray, grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(a), dtype=torch.float64, requires_grad=grad)


def _arr(t: torch.Tensor) -> np.ndarray:
    return t.detach().numpy().astype(np.float64)


def _draw_pair(rng: np.random.Generator, low: int, high: int) -> int | tuple[int, int]:
    """An int, or an (h, w) pair of ints in [low, high] (half of the draws each)."""
    if rng.random() < 0.5:
        return int(rng.integers(low, high + 1))
    return int(rng.integers(low, high + 1)), int(rng.integers(low, high + 1))


# ---------------------------------------------------------------- q1-q3 resampling


def _unit_taps(channels: int, dims: int) -> torch.Tensor:
    """One tap of weight 1 per channel: with groups=channels, a (transposed) conv that only resamples."""
    return torch.ones((channels, 1) + (1,) * dims, dtype=torch.float64)


def _resample_config(rng: np.random.Generator, dims: int):
    n, c = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    size = tuple(int(s) for s in rng.integers(1, 10 if dims == 1 else 7, size=dims))
    factor = int(rng.integers(1, 5)) if dims == 1 else _draw_pair(rng, 1, 3)
    return n, c, size, factor, rng.standard_normal((n, c, *size))


def _torch_resample(x: np.ndarray, factor, up: bool):
    dims = x.ndim - 2
    xt = _t(x, grad=True)
    if up:
        fn = F.conv_transpose1d if dims == 1 else F.conv_transpose2d
    else:
        fn = F.conv1d if dims == 1 else F.conv2d
    return xt, fn(xt, _unit_taps(x.shape[1], dims), stride=factor, groups=x.shape[1])


def _resample_practice(st, rng: np.random.Generator, dims: int, up: bool) -> None:
    n, c, size, factor, x = _resample_config(rng, dims)
    name = f"{'up' if up else 'down'}sample{dims}d"
    where = f"N={n}, C={c}, input {'x'.join(map(str, size))}, factor={factor}"
    xt, reference = _torch_resample(x, factor, up)
    assert_array("out", getattr(st, name)(x, factor), _arr(reference), context=f"{name}[{where}]")
    g = rng.standard_normal(tuple(reference.shape))
    reference.backward(_t(g))
    if up:
        dx = getattr(st, f"{name}_backward")(g, factor)
    else:
        dx = getattr(st, f"{name}_backward")(g, factor, size[0] if dims == 1 else size)
    assert_array("dx", dx, _arr(xt.grad), context=f"{name}_backward[{where}]")


@suite.practice("q1", title="upsample1d / upsample1d_backward", compares_with="torch.nn.functional.conv_transpose1d, autograd", draws=12)
def upsample_1d(st, rng: np.random.Generator) -> None:
    _resample_practice(st, rng, 1, up=True)


@suite.practice("q2", title="downsample1d / downsample1d_backward", compares_with="torch.nn.functional.conv1d, autograd", draws=12)
def downsample_1d(st, rng: np.random.Generator) -> None:
    _resample_practice(st, rng, 1, up=False)


@suite.practice("q3", title="upsample2d / upsample2d_backward", compares_with="torch.nn.functional.conv_transpose2d, autograd", draws=12)
def upsample_2d(st, rng: np.random.Generator) -> None:
    _resample_practice(st, rng, 2, up=True)


@suite.practice("q3", title="downsample2d / downsample2d_backward", compares_with="torch.nn.functional.conv2d, autograd", draws=12)
def downsample_2d(st, rng: np.random.Generator) -> None:
    _resample_practice(st, rng, 2, up=False)


# ---------------------------------------------------------------- q4-q7 transposed convolutions


LAYER_FAMILIES = ("output_padding <= padding", "output_padding > padding")  # as the hidden cases: both, every run


def _layer_family(kwargs: dict, dims: int) -> str:
    pairs = [(v,) * dims if isinstance(v, int) else tuple(v) for v in (kwargs["output_padding"], kwargs["padding"])]
    return LAYER_FAMILIES[any(o > p for o, p in zip(*pairs, strict=True))]


def _layer_config(rng: np.random.Generator, dims: int, family: str | None = None) -> dict:
    """A random layer; with ``family``, one of that family (drawn again until it is)."""
    draw = (lambda lo, hi: int(rng.integers(lo, hi + 1))) if dims == 1 else (lambda lo, hi: _draw_pair(rng, lo, hi))
    n, c_in, c_out = (int(v) for v in rng.integers(1, 4, size=3))
    size = tuple(int(s) for s in rng.integers(1, 7 if dims == 1 else 5, size=dims))
    kernel = tuple(int(k) for k in rng.integers(1, 5 if dims == 1 else 4, size=dims))
    while True:
        kwargs = {"stride": draw(1, 3), "padding": draw(0, 2), "output_padding": draw(0, 2), "dilation": draw(1, 3)}
        if family is None or _layer_family(kwargs, dims) == family:
            break
    return {
        "x": rng.standard_normal((n, c_in, *size)),
        "w": rng.standard_normal((c_in, c_out, *kernel)),
        "b": rng.standard_normal(c_out),
        "kwargs": kwargs,
    }


def _describe(cfg: dict) -> str:
    x, w = cfg["x"], cfg["w"]
    return (
        f"N={x.shape[0]}, C_in={x.shape[1]}, C_out={w.shape[1]}, input {'x'.join(map(str, x.shape[2:]))}, "
        f"kernel {'x'.join(map(str, w.shape[2:]))}, " + ", ".join(f"{k}={v}" for k, v in cfg["kwargs"].items())
    )


def _torch_layer(cfg: dict):
    """(x, w, b, out) as tensors with gradients, or None where torch refuses the layer."""
    fn = F.conv_transpose1d if cfg["x"].ndim == 3 else F.conv_transpose2d
    xt, wt, bt = _t(cfg["x"], True), _t(cfg["w"], True), _t(cfg["b"], True)
    try:
        return xt, wt, bt, fn(xt, wt, bt, **cfg["kwargs"])
    except RuntimeError:
        return None


def _layer_practice(st, rng: np.random.Generator, dims: int, backward: bool, family: str | None = None) -> None:
    cfg = _layer_config(rng, dims, family)
    forward_name = f"conv_transpose{dims}d_forward"
    forward = getattr(st, forward_name)
    reference = _torch_layer(cfg)
    if reference is None:
        if not backward:  # torch refuses this layer: so must the forward pass
            name = raised(forward, cfg["x"], cfg["w"], cfg["b"], **cfg["kwargs"])
            assert_value("the exception raised", name, "ValueError", context=f"{forward_name}[{_describe(cfg)}] (torch refuses this layer)")
        return
    xt, wt, bt, out_t = reference
    out, cache = expect_tuple(forward_name, forward(cfg["x"], cfg["w"], cfg["b"], **cfg["kwargs"]), 2)
    if not backward:
        assert_array("out", out, _arr(out_t), context=f"{forward_name}[{_describe(cfg)}]")
        return
    backward_name = f"conv_transpose{dims}d_backward"
    g = rng.standard_normal(tuple(out_t.shape))
    out_t.backward(_t(g))
    grads = expect_tuple(backward_name, getattr(st, backward_name)(g, cache), 3)
    for label, got, tensor in zip(("dx", "dw", "db"), grads, (xt, wt, bt), strict=True):
        assert_array(label, got, _arr(tensor.grad), context=f"{backward_name}[{_describe(cfg)}]")


@suite.practice("q4", title="conv_transpose1d_forward", compares_with="torch.nn.functional.conv_transpose1d", draws=15, families=LAYER_FAMILIES)
def convt1d_forward(st, rng: np.random.Generator, family: str) -> None:
    _layer_practice(st, rng, 1, backward=False, family=family)


@suite.practice("q5", title="conv_transpose1d_backward", compares_with="autograd (torch.nn.functional.conv_transpose1d)", draws=12, families=LAYER_FAMILIES)
def convt1d_backward(st, rng: np.random.Generator, family: str) -> None:
    _layer_practice(st, rng, 1, backward=True, family=family)


@suite.practice("q6", title="conv_transpose2d_forward", compares_with="torch.nn.functional.conv_transpose2d", draws=15, families=LAYER_FAMILIES)
def convt2d_forward(st, rng: np.random.Generator, family: str) -> None:
    _layer_practice(st, rng, 2, backward=False, family=family)


@suite.practice("q7", title="conv_transpose2d_backward", compares_with="autograd (torch.nn.functional.conv_transpose2d)", draws=12, families=LAYER_FAMILIES)
def convt2d_backward(st, rng: np.random.Generator, family: str) -> None:
    _layer_practice(st, rng, 2, backward=True, family=family)


# ---------------------------------------------------------------- q8 overlap counts


@suite.practice("q8", title="overlap_counts", compares_with="torch.nn.functional.conv_transpose1d (of ones)", draws=15)
def overlaps(st, rng: np.random.Generator) -> None:
    k, s, length = int(rng.integers(1, 8)), int(rng.integers(1, 5)), int(rng.integers(1, 16))
    context = f"overlap_counts(kernel_size={k}, stride={s}, length={length})"
    counts = st.overlap_counts(k, s, length)
    if isinstance(counts, np.ndarray) and counts.dtype.kind not in "iu":
        raise CheckFailure(f"{context}: counts has dtype {counts.dtype}, expected an integer dtype")
    # a constant input through a kernel of ones: each output is its number of taps
    ones = F.conv_transpose1d(torch.ones(1, 1, length // s + 2, dtype=torch.float64), torch.ones(1, 1, k, dtype=torch.float64), stride=s)
    assert_array("counts", counts, np.rint(_arr(ones[0, 0, :length])).astype(np.int64), context=context)


# ---------------------------------------------------------------- q9-q10 the scanning MLP


def _chain_output(layers: list, x: np.ndarray) -> np.ndarray:
    h = _t(x)
    for k, (w, b, stride) in enumerate(layers):
        h = F.conv1d(h, _t(w), _t(b), stride=int(stride))
        if k + 1 < len(layers):
            h = torch.relu(h)
    return _arr(h)


def _mlp_output(weights: list, biases: list, x: np.ndarray, window: int, hop: int) -> np.ndarray:
    """The MLP (F.linear, ReLU between) on frames s*hop .. s*hop + window - 1 for every s."""
    frames = _t(x).unfold(2, window, hop)  # (N, C, S, window)
    h = frames.permute(0, 2, 3, 1).flatten(2)  # time-major: frame 0's features first
    for k, (w, b) in enumerate(zip(weights, biases, strict=True)):
        h = F.linear(h, _t(w), _t(b))
        if k + 1 < len(weights):
            h = torch.relu(h)
    return _arr(h.transpose(1, 2))


def _check_layers(fn: str, layers, shapes: list, strides: list, context: str) -> list:
    if not isinstance(layers, list) or len(layers) != len(shapes):
        raise CheckFailure(f"{context}: {fn} must return a list of {len(shapes)} (w, b, stride) tuples")
    unpacked = [expect_tuple(f"{fn} (layer {k})", layer, 3) for k, layer in enumerate(layers)]
    for k, (w, b, _) in enumerate(unpacked):
        for label, array in (("w", w), ("b", b)):
            if not (isinstance(array, np.ndarray) and array.dtype == np.float64):
                raise CheckFailure(f"{context}: layer {k}'s {label} must be a float64 numpy.ndarray")
    assert_value("the kernel shapes", [tuple(np.shape(w)) for w, _, _ in unpacked], shapes, context=context)
    assert_value("the bias shapes", [tuple(np.shape(b)) for _, b, _ in unpacked], [(shape[0],) for shape in shapes], context=context)
    assert_value("the strides", [s for _, _, s in unpacked], strides, context=context)
    return unpacked


@suite.practice("q9", title="mlp_to_conv1d_simple", compares_with="torch.nn.functional.linear on every window, your layers run with conv1d", draws=12)
def scanning_simple(st, rng: np.random.Generator) -> None:
    c, window, hop = int(rng.integers(1, 6)), int(rng.integers(1, 7)), int(rng.integers(1, 6))
    widths = [window * c] + [int(v) for v in rng.integers(1, 7, size=int(rng.integers(1, 4)))]
    weights = [rng.standard_normal((widths[k + 1], widths[k])) for k in range(len(widths) - 1)]
    biases = [rng.standard_normal(widths[k + 1]) for k in range(len(widths) - 1)]
    x = rng.standard_normal((int(rng.integers(1, 3)), c, window + int(rng.integers(0, 13))))
    context = f"mlp_to_conv1d_simple(MLP {'->'.join(map(str, widths))}, C={c}, window={window}, hop={hop}) on x {x.shape}"
    shapes = [(widths[1], c, window)] + [(widths[k + 1], widths[k], 1) for k in range(1, len(widths) - 1)]
    layers = _check_layers("mlp_to_conv1d_simple", st.mlp_to_conv1d_simple(weights, biases, window, hop), shapes, [hop] + [1] * (len(shapes) - 1), context)
    assert_array("the chain's output", _chain_output(layers, x), _mlp_output(weights, biases, x, window, hop), context=context)


def _distributed_mlp(rng: np.random.Generator, c: int, spans: list, hops: list, groups_out: list):
    """The full matrices of a distributed MLP: each layer's block copied onto its groups."""
    count = [1]  # groups per layer, top down
    for span, hop in zip(spans[:0:-1], hops[:0:-1], strict=True):
        count.insert(0, (count[0] - 1) * hop + span)
    window = (count[0] - 1) * hops[0] + spans[0]
    weights, biases, width, below = [], [], c, window
    for layer, n_groups in enumerate(count):
        out, span, hop = groups_out[layer], spans[layer], hops[layer]
        block = rng.standard_normal((out, span * width))
        full = np.zeros((n_groups * out, below * width))
        for g in range(n_groups):
            full[g * out : (g + 1) * out, g * hop * width : (g * hop + span) * width] = block
        weights.append(full)
        biases.append(np.tile(rng.standard_normal(out), n_groups))
        width, below = out, n_groups
    return weights, biases, window


@suite.practice("q10", title="mlp_to_conv1d_distributed", compares_with="torch.nn.functional.linear on every window, your layers run with conv1d", draws=12)
def scanning_distributed(st, rng: np.random.Generator) -> None:
    depth, c = int(rng.integers(1, 4)), int(rng.integers(1, 5))
    spans = [int(v) for v in rng.integers(1, 4, size=depth)]
    hops = [int(v) for v in rng.integers(1, 4, size=depth)]
    groups_out = [int(v) for v in rng.integers(1, 5, size=depth)]
    weights, biases, window = _distributed_mlp(rng, c, spans, hops, groups_out)
    x = rng.standard_normal((1, c, window + int(rng.integers(0, 16))))
    context = f"mlp_to_conv1d_distributed(C={c}, spans={spans}, hops={hops}, group sizes {groups_out}) on x {x.shape}"
    layers, distinct = expect_tuple("mlp_to_conv1d_distributed", st.mlp_to_conv1d_distributed(weights, biases, spans, hops), 2)
    shapes = [(groups_out[k], ([c] + groups_out)[k], spans[k]) for k in range(depth)]
    layers = _check_layers("mlp_to_conv1d_distributed", layers, shapes, hops, context)
    # property: the distinct parameters are the layers' own, never more than the full MLP's
    assert_value("distinct_params", distinct, int(sum(w.size + b.size for w, b, _ in layers)), context=context)
    if distinct > sum(w.size + b.size for w, b in zip(weights, biases, strict=True)):
        raise CheckFailure(f"{context}: distinct_params {distinct} exceeds the full MLP's parameter count")
    assert_array("the chain's output", _chain_output(layers, x), _mlp_output(weights, biases, x, window, math.prod(hops)), context=context)
