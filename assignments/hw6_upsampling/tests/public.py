"""hw6 public tests: shipped to students (``python check.py``) and graded with the hidden ones.

NumPy only. The expected values are the handout's worked examples, worked out by hand from the
definitions (zero insertion, decimation, the scatter of a transposed convolution, the overlap
counts); backward passes are checked against finite differences of your own forward pass, and
the scanning MLPs by running your layers as convolutions and comparing with the MLP applied to
every window.
"""

from __future__ import annotations

import numpy as np
from checklib import CheckFailure, Suite, assert_array, assert_value, check_layer_gradients, expect_tuple, raised

suite = Suite(hidden=False)


def _row(*values: float) -> np.ndarray:
    """A (1, 1, W) signal: one sample, one channel."""
    return np.array(values, dtype=np.float64)[None, None, :]


# ---------------------------------------------------------------- q1-q3 resampling (§1)


@suite.check("q1", title="upsample1d, the handout's example (factor 3, no trailing zeros)")
def upsample_example(st, _):
    x = np.array([[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]])
    expected = np.array([[[1, 0, 0, 2, 0, 0, 3], [4, 0, 0, 5, 0, 0, 6]]], dtype=np.float64)
    assert_array("out", st.upsample1d(x, 3), expected, context="upsample1d(x (1, 2, 3), factor=3)")
    assert_array("out", st.upsample1d(x, 1), x, context="upsample1d(x (1, 2, 3), factor=1)")


@suite.check("q1", title="upsample1d_backward keeps every factor-th gradient")
def upsample_backward_example(st, _):
    dout = _row(1, 2, 3, 4, 5, 6, 7)
    assert_array("dx", st.upsample1d_backward(dout, 3), _row(1, 4, 7), context="upsample1d_backward(dout = 1..7, factor=3)")


@suite.check("q2", title="downsample1d keeps ceil(W / factor) samples")
def downsample_example(st, _):
    x = _row(0, 1, 2, 3, 4, 5, 6)
    assert_array("out", st.downsample1d(x, 3), _row(0, 3, 6), context="downsample1d(x = 0..6, factor=3)")
    assert_array("out", st.downsample1d(x, 2), _row(0, 2, 4, 6), context="downsample1d(x = 0..6, factor=2)")


@suite.check("q2", title="downsample1d_backward: the gradient goes back to the kept samples, zeros elsewhere")
def downsample_backward_example(st, _):
    dout = _row(10, 20, 30)
    for width, expected in [(7, _row(10, 0, 0, 20, 0, 0, 30)), (8, _row(10, 0, 0, 20, 0, 0, 30, 0)), (9, _row(10, 0, 0, 20, 0, 0, 30, 0, 0))]:
        assert_array("dx", st.downsample1d_backward(dout, 3, width), expected, context=f"downsample1d_backward(dout = [10, 20, 30], factor=3, width={width})")


@suite.check("q3", title="upsample2d and downsample2d with factor (2, 3)")
def resample2d_example(st, _):
    x = np.array([[1.0, 2.0], [3.0, 4.0]])[None, None]
    up = np.array([[1, 0, 0, 2], [0, 0, 0, 0], [3, 0, 0, 4]], dtype=np.float64)[None, None]
    assert_array("out", st.upsample2d(x, (2, 3)), up, context="upsample2d(x = [[1, 2], [3, 4]], factor=(2, 3))")
    grid = np.arange(35.0).reshape(1, 1, 5, 7)
    down = np.array([[0, 3, 6], [14, 17, 20], [28, 31, 34]], dtype=np.float64)[None, None]
    assert_array("out", st.downsample2d(grid, (2, 3)), down, context="downsample2d(x = 0..34 as 5x7, factor=(2, 3))")


@suite.check("q3", title="upsample2d_backward and downsample2d_backward with factor (2, 3)")
def resample2d_backward_example(st, _):
    dout = np.arange(12.0).reshape(1, 1, 3, 4)
    expected = np.array([[0.0, 3.0], [8.0, 11.0]])[None, None]
    assert_array("dx", st.upsample2d_backward(dout, (2, 3)), expected, context="upsample2d_backward(dout = 0..11 as 3x4, factor=(2, 3))")
    dout = np.array([[1.0, 2.0], [3.0, 4.0]])[None, None]
    expected = np.zeros((1, 1, 4, 5))
    expected[0, 0, ::2, ::3] = [[1, 2], [3, 4]]
    assert_array("dx", st.downsample2d_backward(dout, (2, 3), (4, 5)), expected, context="downsample2d_backward(dout = [[1, 2], [3, 4]], factor=(2, 3), size=(4, 5))")


# ---------------------------------------------------------------- q4-q7 transposed convolution (§2, §3)


def _convt1d(st, x, w, b, **kwargs) -> np.ndarray:
    out, _cache = expect_tuple("conv_transpose1d_forward", st.conv_transpose1d_forward(x, w, b, **kwargs), 2)
    return out


@suite.check("q4", title="conv_transpose1d_forward, the handout's worked example")
def convt1d_example(st, _):
    x, w, b = _row(1, 10), _row(1, 2, 3), np.zeros(1)
    # input 0 scatters 1*[1, 2, 3] onto 0..2, input 1 scatters 10*[1, 2, 3] onto 2..4
    examples = [
        ({"stride": 2}, _row(1, 2, 13, 20, 30)),
        ({"stride": 2, "padding": 1}, _row(2, 13, 20)),
        ({"stride": 2, "output_padding": 1}, _row(1, 2, 13, 20, 30, 0)),
        ({"stride": 1}, _row(1, 12, 23, 30)),
    ]
    for kwargs, expected in examples:
        assert_array("out", _convt1d(st, x, w, b, **kwargs), expected, context=f"conv_transpose1d_forward(x = [1, 10], w = [1, 2, 3], {kwargs})")
    out = _convt1d(st, x, w, np.array([0.5]), stride=2, padding=1)
    assert_array("out", out, _row(2.5, 13.5, 20.5), context="conv_transpose1d_forward(x = [1, 10], w = [1, 2, 3], b = [0.5], stride=2, padding=1)")
    # dilation 2 spreads the taps: input 0 lands on 0 and 2, input 1 on 1 and 3
    out = _convt1d(st, x, _row(1, 2), b, dilation=2)
    assert_array("out", out, _row(1, 10, 2, 20), context="conv_transpose1d_forward(x = [1, 10], w = [1, 2], dilation=2)")


@suite.check("q4", title="conv_transpose1d_forward: w is (C_in, C_out, K)")
def convt1d_layout(st, _):
    x = np.array([[[1.0], [2.0]]])  # N=1, C_in=2, W=1
    w = np.arange(6.0).reshape(2, 3, 1)  # w[c, o, 0]: row c is what input channel c sends to the 3 outputs
    expected = (1 * w[0, :, 0] + 2 * w[1, :, 0]).reshape(1, 3, 1)  # [6, 9, 12]
    assert_array("out", _convt1d(st, x, w, np.zeros(3)), expected, context="conv_transpose1d_forward(x (1, 2, 1) = [1, 2], w = 0..5 as (2, 3, 1))")


@suite.check("q4", title="conv_transpose1d_forward refuses an output_padding torch refuses")
def convt1d_refuses(st, _):
    x, w, b = _row(1, 10), _row(1, 2, 3), np.zeros(1)
    name = raised(st.conv_transpose1d_forward, x, w, b, stride=2, output_padding=2)
    assert_value("the exception raised", name, "ValueError", context="conv_transpose1d_forward(W=2, K=3, stride=2, output_padding=2)")
    # output_padding may reach the stride when it is smaller than the dilation
    out = _convt1d(st, x, _row(1, 2), b, dilation=2, output_padding=1)
    assert_array("out", out, _row(1, 10, 2, 20, 0), context="conv_transpose1d_forward(x = [1, 10], w = [1, 2], dilation=2, output_padding=1)")


def _gradient_check(st, forward: str, backward: str, x_shape, w_shape, kwargs) -> None:
    check_layer_gradients(st, forward, backward, x_shape, w_shape, w_shape[1], kwargs)


@suite.check("q5", title="conv_transpose1d_backward matches finite differences")
def convt1d_gradcheck(st, _):
    kwargs = {"stride": 2, "padding": 1, "output_padding": 1, "dilation": 2}
    _gradient_check(st, "conv_transpose1d_forward", "conv_transpose1d_backward", (2, 2, 4), (2, 3, 3), kwargs)
    # output_padding > padding: dout (10 positions) is longer than the full output (8) (§3)
    _gradient_check(st, "conv_transpose1d_forward", "conv_transpose1d_backward", (2, 2, 3), (2, 3, 2), {"stride": 3, "output_padding": 2})


@suite.check("q6", title="conv_transpose2d_forward: a 3x3 kernel of ones, stride 2, on ones: the checkerboard")
def convt2d_checkerboard(st, _):
    out, _cache = expect_tuple("conv_transpose2d_forward", st.conv_transpose2d_forward(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3)), np.zeros(1), stride=2), 2)
    counts = np.array([1.0, 1.0, 2.0, 1.0, 1.0])  # taps landing on each row (and column)
    assert_array("out", out, np.outer(counts, counts)[None, None], context="conv_transpose2d_forward(x = ones (1, 1, 2, 2), w = ones (1, 1, 3, 3), stride=2)")


@suite.check("q6", title="conv_transpose2d_forward output shapes ((h, w) pairs)")
def convt2d_shapes(st, _):
    x, w, b = np.ones((2, 3, 4, 5)), np.ones((3, 2, 3, 2)), np.zeros(2)
    # H_out = (H - 1)*sh - 2*ph + dh*(KH - 1) + oph + 1, W_out likewise
    examples = [
        ({}, (2, 2, 6, 6)),
        ({"stride": (2, 1), "padding": (1, 0)}, (2, 2, 7, 6)),
        ({"stride": 2, "padding": 1, "output_padding": 1, "dilation": (1, 2)}, (2, 2, 8, 10)),
        ({"stride": (3, 1), "output_padding": (2, 0)}, (2, 2, 14, 6)),
    ]
    for kwargs, shape in examples:
        out, _cache = expect_tuple("conv_transpose2d_forward", st.conv_transpose2d_forward(x, w, b, **kwargs), 2)
        assert_value("the output shape", tuple(np.shape(out)), shape, context=f"conv_transpose2d_forward(x (2, 3, 4, 5), w (3, 2, 3, 2), {kwargs})")
    name = raised(st.conv_transpose2d_forward, x, w, b, stride=(1, 2), output_padding=(1, 1))
    assert_value("the exception raised", name, "ValueError", context="conv_transpose2d_forward(stride=(1, 2), output_padding=(1, 1))")


@suite.check("q7", title="conv_transpose2d_backward matches finite differences")
def convt2d_gradcheck(st, _):
    kwargs = {"stride": (2, 1), "padding": (1, 0), "output_padding": (1, 0), "dilation": (1, 2)}
    _gradient_check(st, "conv_transpose2d_forward", "conv_transpose2d_backward", (2, 2, 3, 2), (2, 3, 2, 3), kwargs)
    # output_padding > padding along the rows: dout is longer than the full output there (§3)
    kwargs = {"stride": (3, 1), "padding": (0, 1), "output_padding": (2, 0)}
    _gradient_check(st, "conv_transpose2d_forward", "conv_transpose2d_backward", (1, 2, 3, 3), (2, 2, 2, 3), kwargs)


# ---------------------------------------------------------------- q8 overlap counts (§4)


@suite.check("q8", title="overlap_counts, the handout's examples")
def overlap_examples(st, _):
    examples = [((3, 2, 9), [1, 1, 2, 1, 2, 1, 2, 1, 2]), ((4, 2, 9), [1, 1, 2, 2, 2, 2, 2, 2, 2]), ((2, 3, 7), [1, 1, 0, 1, 1, 0, 1])]
    for args, expected in examples:
        counts = st.overlap_counts(*args)
        context = "overlap_counts(kernel_size={}, stride={}, length={})".format(*args)
        if isinstance(counts, np.ndarray) and counts.dtype.kind not in "iu":
            raise CheckFailure(f"{context}: counts has dtype {counts.dtype}, expected an integer dtype (counts are whole numbers)")
        assert_array("counts", counts, np.array(expected), context=context)


# ---------------------------------------------------------------- q9-q10 the scanning MLP (§5)


def _conv1d(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int) -> np.ndarray:
    """A plain conv1d (cross-correlation, no padding), as F.conv1d."""
    steps = (x.shape[2] - w.shape[2]) // stride + 1
    out = np.empty((x.shape[0], w.shape[0], steps))
    for s in range(steps):
        out[:, :, s] = np.einsum("nck,fck->nf", x[:, :, s * stride : s * stride + w.shape[2]], w) + b
    return out


def _chain(layers, x: np.ndarray) -> np.ndarray:
    for k, (w, b, stride) in enumerate(layers):
        x = _conv1d(x, w, b, int(stride))
        x = np.maximum(x, 0.0) if k < len(layers) - 1 else x
    return x


def _mlp_every_window(weights, biases, x: np.ndarray, window: int, hop: int) -> np.ndarray:
    """The MLP on frames s*hop .. s*hop + window - 1, flattened time-major, for every s."""
    columns = []
    for start in range(0, x.shape[2] - window + 1, hop):
        v = x[:, :, start : start + window].transpose(0, 2, 1).reshape(x.shape[0], -1)  # v[t*C + c]
        for k, (w, b) in enumerate(zip(weights, biases, strict=True)):
            v = v @ w.T + b
            v = np.maximum(v, 0.0) if k < len(weights) - 1 else v
        columns.append(v)
    return np.stack(columns, axis=2)


def _unpack(fn: str, layers, count: int, context: str) -> list:
    if not isinstance(layers, list) or len(layers) != count:
        raise CheckFailure(f"{context}: {fn} must return a list of {count} (w, b, stride) tuples, got {layers!r:.80}")
    return [expect_tuple(f"{fn} (layer {k})", layer, 3) for k, layer in enumerate(layers)]


@suite.check("q9", title="mlp_to_conv1d_simple, the handout's example")
def simple_example(st, _):
    weights = [np.array([[1.0, 2.0, 3.0, 4.0]]), np.array([[2.0], [-1.0]])]  # 4 -> 1 -> 2
    biases = [np.array([0.5]), np.array([0.0, 1.0])]
    context = "mlp_to_conv1d_simple(the handout's 2-layer MLP, C=2, window=2, hop=3)"
    (w0, b0, s0), (w1, b1, s1) = _unpack("mlp_to_conv1d_simple", st.mlp_to_conv1d_simple(weights, biases, 2, 3), 2, context)
    # input v = [x[0, t], x[1, t], x[0, t+1], x[1, t+1]]: channel 0 meets 1 then 3, channel 1 meets 2 then 4
    assert_array("layer 0's w", w0, np.array([[[1.0, 3.0], [2.0, 4.0]]]), context=context)
    assert_array("layer 0's b", b0, np.array([0.5]), context=context)
    assert_array("layer 1's w", w1, np.array([[[2.0]], [[-1.0]]]), context=context)
    assert_array("layer 1's b", b1, np.array([0.0, 1.0]), context=context)
    assert_value("the strides", [s0, s1], [3, 1], context=context)


@suite.check("q9", title="mlp_to_conv1d_simple: the conv chain equals the MLP on every window")
def simple_equivalence(st, _):
    rng = np.random.default_rng(6)
    channels, window, hop, frames = 3, 4, 2, 13
    sizes = [window * channels, 5, 4]
    weights = [rng.standard_normal((o, i)) for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
    biases = [rng.standard_normal(o) for o in sizes[1:]]
    x = rng.standard_normal((2, channels, frames))
    context = f"mlp_to_conv1d_simple(MLP 12 -> 5 -> 4, C={channels}, window={window}, hop={hop}) on x (2, 3, {frames})"
    layers = _unpack("mlp_to_conv1d_simple", st.mlp_to_conv1d_simple(weights, biases, window, hop), 2, context)
    assert_value("the kernel shapes", [tuple(np.shape(w)) for w, _, _ in layers], [(5, 3, 4), (4, 5, 1)], context=context)
    assert_array("the chain's output", _chain(layers, x), _mlp_every_window(weights, biases, x, window, hop), context=context)


def _lecture_mlp(rng: np.random.Generator):
    """The distributed MLP of the handout: 40 features, 8 frames; groups of 4, 8 and 10 neurons.

    Layer 0 has 4 groups, each reading 2 frames (2 apart); layer 1 has 2 groups, each reading 2
    groups of layer 0 (2 apart); layer 2 has 1 group reading both groups of layer 1.
    """
    plan = [(4, 4, 2, 2, 8, 40), (2, 8, 2, 2, 4, 4), (1, 10, 2, 1, 2, 8)]  # groups, out, span, hop, groups below, width below
    weights, biases = [], []
    for groups, out, span, hop, below, width in plan:
        block, bias = rng.standard_normal((out, span * width)) / np.sqrt(span * width), rng.standard_normal(out)
        full = np.zeros((groups * out, below * width))
        for g in range(groups):
            full[g * out : (g + 1) * out, g * hop * width : (g * hop + span) * width] = block
        weights.append(full)
        biases.append(np.concatenate([bias] * groups))
    return weights, biases


@suite.check("q10", title="mlp_to_conv1d_distributed, the handout's example (40 features, window 8, hop 4)")
def distributed_example(st, _):
    rng = np.random.default_rng(10)
    weights, biases = _lecture_mlp(rng)
    x = rng.standard_normal((1, 40, 40))
    context = "mlp_to_conv1d_distributed(the handout's MLP 320 -> 16 -> 16 -> 10, spans=[2, 2, 2], hops=[2, 2, 1])"
    result = expect_tuple("mlp_to_conv1d_distributed", st.mlp_to_conv1d_distributed(weights, biases, [2, 2, 2], [2, 2, 1]), 2)
    layers = _unpack("mlp_to_conv1d_distributed", result[0], 3, context)
    assert_value("the kernel shapes", [tuple(np.shape(w)) for w, _, _ in layers], [(4, 40, 2), (8, 4, 2), (10, 8, 2)], context=context)
    assert_value("the strides", [s for _, _, s in layers], [2, 2, 1], context=context)
    # 4*40*2 + 4 + 8*4*2 + 8 + 10*8*2 + 10 distinct parameters; the full MLP has 5578
    assert_value("distinct_params", result[1], 566, context=context)
    expected = _mlp_every_window(weights, biases, x, 8, 4)
    assert_array("the chain's output", _chain(layers, x), expected, context=f"{context} on x (1, 40, 40)")
