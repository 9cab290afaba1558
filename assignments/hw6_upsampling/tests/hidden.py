"""hw6 hidden tests: every graded function against PyTorch (float64), on CPU and on CUDA if present.

Never shipped to students. Each check calls the student once per case and returns its outputs;
the attached ``reference`` computes the same outputs with ``torch.nn.functional`` (gradients by
autograd) on the requested device:

- resampling: zero insertion is ``F.conv_transpose1d/2d`` with a one-tap unit kernel per channel
  (``groups=C``, ``stride=factor``), decimation is ``F.conv1d/2d`` with the same kernel;
- transposed convolutions: ``F.conv_transpose1d/2d``; the error cases are the ones torch refuses;
- overlap counts: ``F.conv_transpose1d`` of ones with a kernel of ones;
- scanning MLPs: the check runs the student's layers with ``F.conv1d`` (ReLU between) and the
  reference applies the MLP (``F.linear``) to every window.

Cases are seeded and small enough that a correct plain-loop submission passes well within the
time limit, and chosen to break the realistic bugs of the mutant catalog
(``assignments/hw6_upsampling/mutants/``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from checklib import CheckFailure, Suite, expect_tuple, raised
from refkit import (
    F,
    layer_backward_check,
    layer_backward_reference,
    layer_forward_check,
    layer_forward_reference,
    pair,
    tensor,
    to_numpy,
    torch,
    upstream,
)

suite = Suite(hidden=True)


# ---------------------------------------------------------------- q1-q3 resampling


@dataclass(frozen=True)
class ResampleCase:
    """One resampling configuration; 1D when ``size`` has one entry."""

    n: int
    c: int
    size: tuple[int, ...]
    factor: int | tuple[int, int]
    seed: int

    def __str__(self) -> str:
        return f"N={self.n}, C={self.c}, input {'x'.join(map(str, self.size))}, factor={self.factor}"

    @property
    def factors(self) -> tuple[int, ...]:
        return (self.factor,) if len(self.size) == 1 else pair(self.factor)

    def x(self) -> np.ndarray:
        return np.random.default_rng(self.seed).standard_normal((self.n, self.c, *self.size))

    def up_shape(self) -> tuple[int, ...]:
        return (self.n, self.c, *((s - 1) * f + 1 for s, f in zip(self.size, self.factors, strict=True)))

    def down_shape(self) -> tuple[int, ...]:
        return (self.n, self.c, *(math.ceil(s / f) for s, f in zip(self.size, self.factors, strict=True)))

    def torch_resample(self, device: str, up: bool, grad: bool = False):
        """(x, out): a one-tap unit kernel per channel, stride = factor (transposed for ``up``)."""
        x = tensor(self.x(), device, grad)
        ones = torch.ones((self.c, 1) + (1,) * len(self.size), dtype=torch.float64, device=device)
        stride = self.factors if len(self.size) == 2 else self.factors[0]
        if up:
            op = F.conv_transpose1d if len(self.size) == 1 else F.conv_transpose2d
        else:
            op = F.conv1d if len(self.size) == 1 else F.conv2d
        return x, op(x, ones, stride=stride, groups=self.c)


UP1D_CASES = [
    ResampleCase(2, 3, (5,), 2, 101),
    ResampleCase(1, 2, (6,), 3, 102),
    ResampleCase(2, 1, (1,), 3, 103),
    ResampleCase(1, 2, (4,), 1, 104),
    ResampleCase(3, 2, (7,), 4, 105),
]
DOWN1D_CASES = [
    ResampleCase(2, 3, (7,), 3, 111),
    ResampleCase(1, 2, (9,), 4, 112),
    ResampleCase(2, 1, (1,), 2, 113),
    ResampleCase(1, 2, (5,), 1, 114),
    ResampleCase(2, 2, (10,), 5, 115),
    ResampleCase(1, 3, (8,), 3, 116),
]
UP2D_CASES = [
    ResampleCase(2, 2, (3, 4), 2, 121),
    ResampleCase(1, 3, (4, 3), (2, 3), 122),
    ResampleCase(2, 1, (3, 5), (3, 1), 123),
    ResampleCase(1, 2, (1, 4), (2, 2), 124),
    ResampleCase(1, 1, (5, 5), 1, 125),
]
DOWN2D_CASES = [
    ResampleCase(2, 2, (7, 5), (3, 2), 131),
    ResampleCase(1, 3, (4, 9), (2, 4), 132),
    ResampleCase(2, 1, (5, 5), 3, 133),
    ResampleCase(1, 2, (1, 1), 2, 134),
    ResampleCase(1, 2, (6, 4), (1, 2), 135),
    ResampleCase(2, 1, (8, 7), (4, 3), 136),
]


def _resample_geometry(formula: str):
    """A resampling case's output-size formula, per spatial axis, for the grader's feedback on a wrong shape."""

    def geometry(c: ResampleCase) -> dict:
        return {"formula": formula, "axes": [{"n": n, "s": f} for n, f in zip(c.size, c.factors, strict=True)], "outputs": ["out"]}

    return geometry


UP_RULES, DOWN_RULES = ("trailing", "axes swapped"), ("floor", "axes swapped")


@suite.check("q1", UP1D_CASES, title="upsample1d", size_rules=UP_RULES, geometry=_resample_geometry("upsample"))
def upsample1d(st, c: ResampleCase):
    return {"out": st.upsample1d(c.x(), c.factor)}


@suite.check("q1", UP1D_CASES, title="upsample1d_backward")
def upsample1d_backward(st, c: ResampleCase):
    return {"dx": st.upsample1d_backward(upstream(c.seed, c.up_shape()), c.factor)}


@suite.check("q2", DOWN1D_CASES, title="downsample1d", size_rules=DOWN_RULES, geometry=_resample_geometry("downsample"))
def downsample1d(st, c: ResampleCase):
    return {"out": st.downsample1d(c.x(), c.factor)}


@suite.check("q2", DOWN1D_CASES, title="downsample1d_backward")
def downsample1d_backward(st, c: ResampleCase):
    return {"dx": st.downsample1d_backward(upstream(c.seed, c.down_shape()), c.factor, c.size[0])}


@suite.check("q3", UP2D_CASES, title="upsample2d", size_rules=UP_RULES, geometry=_resample_geometry("upsample"))
def upsample2d(st, c: ResampleCase):
    return {"out": st.upsample2d(c.x(), c.factor)}


@suite.check("q3", UP2D_CASES, title="upsample2d_backward")
def upsample2d_backward(st, c: ResampleCase):
    return {"dx": st.upsample2d_backward(upstream(c.seed, c.up_shape()), c.factor)}


@suite.check("q3", DOWN2D_CASES, title="downsample2d", size_rules=DOWN_RULES, geometry=_resample_geometry("downsample"))
def downsample2d(st, c: ResampleCase):
    return {"out": st.downsample2d(c.x(), c.factor)}


@suite.check("q3", DOWN2D_CASES, title="downsample2d_backward")
def downsample2d_backward(st, c: ResampleCase):
    return {"dx": st.downsample2d_backward(upstream(c.seed, c.down_shape()), c.factor, c.size)}


def _resample_reference(up: bool):
    def forward(c: ResampleCase, device: str) -> dict:
        return {"out": to_numpy(c.torch_resample(device, up)[1])}

    def backward(c: ResampleCase, device: str) -> dict:
        x, out = c.torch_resample(device, up, grad=True)
        out.backward(tensor(upstream(c.seed, tuple(out.shape)), device))
        return {"dx": to_numpy(x.grad)}

    return forward, backward


for _check, _up, _which in [
    (upsample1d, True, 0), (upsample1d_backward, True, 1), (downsample1d, False, 0), (downsample1d_backward, False, 1),
    (upsample2d, True, 0), (upsample2d_backward, True, 1), (downsample2d, False, 0), (downsample2d_backward, False, 1),
]:  # fmt: skip
    _check.reference(_resample_reference(_up)[_which])


# ---------------------------------------------------------------- q4-q7 transposed convolutions


@dataclass(frozen=True)
class ConvTCase:
    """One transposed-convolution configuration; 1D when ``size`` has one entry."""

    n: int
    c_in: int
    c_out: int
    size: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: int | tuple[int, int] = 1
    padding: int | tuple[int, int] = 0
    output_padding: int | tuple[int, int] = 0
    dilation: int | tuple[int, int] = 1
    seed: int = 0

    def __str__(self) -> str:
        return (
            f"N={self.n}, C_in={self.c_in}, C_out={self.c_out}, input {'x'.join(map(str, self.size))}, "
            f"kernel {'x'.join(map(str, self.kernel))}, stride={self.stride}, padding={self.padding}, "
            f"output_padding={self.output_padding}, dilation={self.dilation}"
        )

    @property
    def kwargs(self) -> dict:
        return {"stride": self.stride, "padding": self.padding, "output_padding": self.output_padding, "dilation": self.dilation}

    def inputs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        x = rng.standard_normal((self.n, self.c_in, *self.size))
        w = rng.standard_normal((self.c_in, self.c_out, *self.kernel))
        return x, w, rng.standard_normal(self.c_out)

    def torch_forward(self, device: str, grad: bool = False):
        x, w, b = (tensor(a, device, grad) for a in self.inputs())
        op = F.conv_transpose1d if len(self.size) == 1 else F.conv_transpose2d
        return x, w, b, op(x, w, b, **self.kwargs)


CONVT1D_CASES = [
    ConvTCase(2, 3, 4, (5,), (3,), stride=2, seed=201),
    ConvTCase(1, 2, 3, (4,), (4,), stride=2, padding=1, seed=202),
    ConvTCase(2, 3, 3, (6,), (3,), stride=2, padding=1, output_padding=1, seed=203),
    ConvTCase(2, 2, 2, (5,), (3,), stride=1, padding=2, dilation=2, seed=204),
    ConvTCase(1, 2, 3, (4,), (2,), stride=3, seed=205),
    ConvTCase(2, 1, 2, (1,), (3,), stride=2, seed=206),
    ConvTCase(1, 3, 3, (3,), (3,), stride=3, padding=1, output_padding=2, seed=207),
    ConvTCase(2, 2, 3, (4,), (3,), stride=1, output_padding=1, dilation=2, seed=208),
    ConvTCase(1, 2, 2, (5,), (1,), stride=2, output_padding=1, seed=209),
]
CONVT2D_CASES = [
    ConvTCase(2, 3, 4, (3, 4), (3, 3), stride=2, seed=221),
    ConvTCase(1, 2, 3, (4, 3), (2, 3), stride=(2, 1), padding=(1, 0), seed=222),
    ConvTCase(2, 3, 3, (3, 3), (3, 3), stride=2, padding=1, output_padding=1, seed=223),
    ConvTCase(2, 2, 3, (3, 4), (3, 2), stride=(1, 2), padding=(2, 1), output_padding=(1, 1), dilation=(2, 1), seed=224),
    ConvTCase(1, 2, 2, (2, 3), (2, 2), stride=3, seed=225),
    ConvTCase(2, 1, 2, (1, 1), (3, 3), stride=2, seed=226),
    ConvTCase(1, 3, 2, (3, 2), (4, 3), stride=(3, 2), padding=(1, 2), output_padding=(2, 1), seed=227),
    ConvTCase(2, 2, 2, (4, 4), (1, 1), stride=2, output_padding=1, seed=228),
    ConvTCase(1, 2, 3, (3, 5), (2, 3), stride=(2, 3), padding=(0, 1), dilation=(3, 2), seed=229),
]
# Layers torch refuses: output_padding neither smaller than the stride nor than the dilation,
# and empty outputs (one case of length 0, one negative); and, at the edge, one layer it accepts:
# output_padding that reaches the stride but stays below the dilation.
CONVT1D_REFUSED = [
    ConvTCase(1, 1, 1, (3,), (2,), stride=1, output_padding=1, dilation=2, seed=246),
    ConvTCase(1, 2, 2, (4,), (3,), stride=2, output_padding=2, seed=241),
    ConvTCase(1, 1, 2, (3,), (2,), stride=1, output_padding=1, seed=242),
    ConvTCase(1, 1, 1, (3,), (2,), stride=2, output_padding=3, dilation=3, seed=243),
    ConvTCase(1, 1, 1, (1,), (2,), padding=1, seed=244),
    ConvTCase(1, 2, 1, (1,), (1,), padding=1, seed=245),
]
CONVT2D_REFUSED = [
    ConvTCase(1, 1, 2, (3, 4), (2, 2), stride=1, output_padding=(1, 0), dilation=(2, 1), seed=255),
    ConvTCase(1, 2, 2, (3, 3), (3, 3), stride=(1, 2), output_padding=(0, 2), seed=251),
    ConvTCase(1, 1, 2, (3, 4), (2, 2), stride=1, output_padding=(1, 0), dilation=(1, 2), seed=252),
    ConvTCase(1, 1, 1, (1, 3), (2, 2), padding=(1, 0), seed=253),
    ConvTCase(1, 1, 1, (2, 1), (1, 1), padding=(0, 1), seed=254),
]


def _refusal_check(fn_name: str):
    def check(st, c: ConvTCase) -> dict:
        x, w, b = c.inputs()
        return {"the exception raised": raised(getattr(st, fn_name), x, w, b, **c.kwargs)}

    check.__name__ = f"{fn_name}_refuses"
    return check


def _refusal_reference(c: ConvTCase, device: str) -> dict:
    """ValueError where torch refuses the layer (it raises RuntimeError), else no exception."""
    try:
        c.torch_forward(device)
    except RuntimeError:
        return {"the exception raised": "ValueError"}
    return {"the exception raised": None}


def _layer_geometry(c) -> dict:
    """A layer case's output-size formula, per spatial axis, for the grader's feedback on a wrong shape."""
    dims = len(c.size)
    values = [(v,) * dims if isinstance(v, int) else tuple(v) for v in (c.stride, c.padding, c.dilation, c.output_padding)]
    axes = [dict(zip(("s", "p", "d", "op"), (v[i] for v in values), strict=True), n=c.size[i], k=c.kernel[i]) for i in range(dims)]
    out = [(a["n"] - 1) * a["s"] - 2 * a["p"] + a["d"] * (a["k"] - 1) + a["op"] + 1 for a in axes]
    sizes = {"N": c.n, "C_in": c.c_in, "C_out": c.c_out, **dict(zip(("H_out", "W_out") if dims == 2 else ("W_out",), out, strict=True))}
    return {"formula": "transposed", "axes": axes, "outputs": ["out"], "sizes": sizes}


def _layer_family(c) -> str:
    """The family of a layer case (``check.py --torch`` draws both every run): whether the output
    padding reaches past the padding on some axis, where ``dout`` is longer than the cropped full output."""
    dims = len(c.size)
    pairs = [(v,) * dims if isinstance(v, int) else tuple(v) for v in (c.output_padding, c.padding)]
    return "output_padding > padding" if any(o > p for o, p in zip(*pairs, strict=True)) else "output_padding <= padding"


LAYER_RULES = (
    "no output padding", "padding added", "no padding", "padding once", "no dilation", "no stride",
    "axes swapped", "width from height", "height from width",
)  # fmt: skip

suite.check("q4", CONVT1D_CASES, title="conv_transpose1d_forward", size_rules=LAYER_RULES, geometry=_layer_geometry, family=_layer_family)(layer_forward_check("conv_transpose1d_forward")).reference(layer_forward_reference)
suite.check("q4", CONVT1D_REFUSED, title="conv_transpose1d_forward refuses what torch refuses, and only that")(
    _refusal_check("conv_transpose1d_forward")
).reference(_refusal_reference)
suite.check("q5", CONVT1D_CASES, title="conv_transpose1d_backward", family=_layer_family, geometry=_layer_geometry)(
    layer_backward_check("conv_transpose1d_forward", "conv_transpose1d_backward")
).reference(layer_backward_reference)
suite.check("q6", CONVT2D_CASES, title="conv_transpose2d_forward", size_rules=LAYER_RULES, geometry=_layer_geometry, family=_layer_family)(layer_forward_check("conv_transpose2d_forward")).reference(layer_forward_reference)
suite.check("q6", CONVT2D_REFUSED, title="conv_transpose2d_forward refuses what torch refuses, and only that")(
    _refusal_check("conv_transpose2d_forward")
).reference(_refusal_reference)
suite.check("q7", CONVT2D_CASES, title="conv_transpose2d_backward", family=_layer_family, geometry=_layer_geometry)(
    layer_backward_check("conv_transpose2d_forward", "conv_transpose2d_backward")
).reference(layer_backward_reference)


# ---------------------------------------------------------------- q8 overlap counts


@dataclass(frozen=True)
class OverlapCase:
    kernel_size: int
    stride: int
    length: int

    def __str__(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, length={self.length}"


OVERLAP_CASES = [
    OverlapCase(3, 2, 9),
    OverlapCase(4, 2, 10),
    OverlapCase(5, 2, 11),
    OverlapCase(2, 3, 8),
    OverlapCase(1, 1, 5),
    OverlapCase(3, 3, 7),
    OverlapCase(5, 3, 13),
    OverlapCase(7, 4, 10),
    OverlapCase(3, 1, 6),
    OverlapCase(1, 4, 9),
]


@suite.check("q8", OVERLAP_CASES, title="overlap_counts")
def overlap_counts(st, c: OverlapCase):
    counts = st.overlap_counts(c.kernel_size, c.stride, c.length)
    if isinstance(counts, np.ndarray) and counts.dtype.kind not in "iu":
        raise CheckFailure(f"overlap_counts({c}): counts has dtype {counts.dtype}, expected an integer dtype (counts are whole numbers)")
    return {"counts": counts}


@overlap_counts.reference
def _(c: OverlapCase, device: str) -> dict:
    # enough inputs that the last one starts at or past `length`: every position sees all its taps
    inputs = math.ceil(c.length / c.stride) + 1
    ones_in = torch.ones(1, 1, inputs, dtype=torch.float64, device=device)
    ones_k = torch.ones(1, 1, c.kernel_size, dtype=torch.float64, device=device)
    counts = F.conv_transpose1d(ones_in, ones_k, stride=c.stride)[0, 0, : c.length]
    return {"counts": np.rint(to_numpy(counts)).astype(np.int64)}


# ---------------------------------------------------------------- q9-q10 the scanning MLP


def _run_layers(fn: str, layers, x: np.ndarray, context: str) -> dict:
    """The student's layers as outputs: their shapes, strides, and their F.conv1d chain on x."""
    if not isinstance(layers, list):
        raise CheckFailure(f"{context}: {fn} must return a list of (w, b, stride) tuples, got {type(layers).__name__}")
    w_shapes, b_shapes, strides, arrays = [], [], [], []
    for k, layer in enumerate(layers):
        w, b, stride = expect_tuple(f"{fn} (layer {k})", layer, 3)
        for name, a in (("w", w), ("b", b)):
            if not isinstance(a, np.ndarray) or a.dtype != np.float64:
                got = f"dtype {a.dtype}" if isinstance(a, np.ndarray) else type(a).__name__
                raise CheckFailure(f"{context}: layer {k}'s {name} is {got}, expected a float64 numpy.ndarray")
        w_shapes.append(tuple(int(s) for s in w.shape))
        b_shapes.append(tuple(int(s) for s in b.shape))
        strides.append(stride)
        arrays.append((w, b, stride))
    # layers that do not chain give out=None: their shapes are reported first
    return {"w shapes": w_shapes, "b shapes": b_shapes, "strides": strides, "out": _conv1d_chain(x, arrays)}


def _conv1d_chain(h: np.ndarray, arrays: list) -> np.ndarray | None:
    """F.conv1d with ReLU between layers, in NumPy (the grader needs no torch for it; checked
    against F.conv1d in tests/test_tables.py), or None where F.conv1d would refuse the chain."""
    try:
        for k, (w, b, stride) in enumerate(arrays):
            s = int(stride)
            if w.ndim != 3 or b.ndim != 1 or b.shape[0] != w.shape[0] or w.shape[1] != h.shape[1] or s < 1 or not 1 <= w.shape[2] <= h.shape[2]:
                return None
            windows = np.lib.stride_tricks.sliding_window_view(h, w.shape[2], axis=2)[:, :, ::s]
            h = np.einsum("nctk,ock->not", windows, w) + b[None, :, None]
            h = np.maximum(h, 0.0) if k < len(arrays) - 1 else h
    except (TypeError, ValueError):
        return None
    return h


def _mlp_on_windows(weights, biases, x: np.ndarray, window: int, hop: int, device: str) -> np.ndarray:
    """The MLP (F.linear, ReLU between layers) on every window of x, frames flattened time-major."""
    windows = tensor(x, device).unfold(2, window, hop)  # (N, C, S, window)
    h = windows.permute(0, 2, 3, 1).reshape(x.shape[0], windows.shape[2], -1)  # v[t*C + c]
    for k, (w, b) in enumerate(zip(weights, biases, strict=True)):
        h = F.linear(h, tensor(w, device), tensor(b, device))
        h = F.relu(h) if k < len(weights) - 1 else h
    return to_numpy(h.permute(0, 2, 1))


@dataclass(frozen=True)
class SimpleCase:
    channels: int
    window: int
    hop: int
    hidden: tuple[int, ...]  # the out_k of every layer
    frames: int  # T, the length of the sequence the chain scans
    n: int
    seed: int

    def __str__(self) -> str:
        return f"C={self.channels}, window={self.window}, hop={self.hop}, layers {self.window * self.channels}->{'->'.join(map(str, self.hidden))}, T={self.frames}, N={self.n}"

    def mlp(self):
        rng = np.random.default_rng(self.seed)
        sizes = (self.window * self.channels, *self.hidden)
        weights = [rng.standard_normal((o, i)) / np.sqrt(i) for i, o in zip(sizes[:-1], sizes[1:], strict=True)]
        biases = [rng.standard_normal(o) for o in sizes[1:]]
        return weights, biases, rng.standard_normal((self.n, self.channels, self.frames))


SIMPLE_CASES = [
    SimpleCase(3, 4, 2, (5, 4), 13, 1, 301),
    SimpleCase(2, 3, 1, (4,), 7, 2, 302),
    SimpleCase(4, 5, 5, (6, 3, 2), 5, 1, 303),
    SimpleCase(1, 2, 3, (3, 3), 11, 2, 304),
    SimpleCase(5, 1, 1, (4, 2), 6, 1, 305),
    SimpleCase(40, 8, 4, (16, 16, 10), 40, 1, 306),
]


@suite.check("q9", SIMPLE_CASES, title="mlp_to_conv1d_simple")
def mlp_to_conv1d_simple(st, c: SimpleCase):
    weights, biases, x = c.mlp()
    layers = st.mlp_to_conv1d_simple(weights, biases, c.window, c.hop)
    return _run_layers("mlp_to_conv1d_simple", layers, x, f"mlp_to_conv1d_simple[{c}]")


@mlp_to_conv1d_simple.reference
def _(c: SimpleCase, device: str) -> dict:
    weights, biases, x = c.mlp()
    sizes = (c.channels, *c.hidden)
    kernels = (c.window,) + (1,) * (len(c.hidden) - 1)
    return {
        "w shapes": [(o, i, k) for i, o, k in zip(sizes[:-1], sizes[1:], kernels, strict=True)],
        "b shapes": [(o,) for o in c.hidden],
        "strides": [c.hop] + [1] * (len(c.hidden) - 1),
        "out": _mlp_on_windows(weights, biases, x, c.window, c.hop, device),
    }


@dataclass(frozen=True)
class DistributedCase:
    channels: int
    spans: tuple[int, ...]
    hops: tuple[int, ...]
    hidden: tuple[int, ...]  # out_k: the neurons of one group of layer k
    frames: int
    seed: int

    def __str__(self) -> str:
        return f"C={self.channels}, spans={list(self.spans)}, hops={list(self.hops)}, group sizes {list(self.hidden)}, T={self.frames}"

    def groups(self) -> tuple[list[int], int]:
        """G_k for every layer, and the window in frames (the receptive field of the top group)."""
        groups, below = [], 1
        for span, hop in zip(self.spans[::-1], self.hops[::-1], strict=True):
            groups.append(below)
            below = (below - 1) * hop + span
        return groups[::-1], below

    def mlp(self):
        """The full MLP: one block of weights and bias per layer, repeated on its groups."""
        rng = np.random.default_rng(self.seed)
        groups, window = self.groups()
        weights, biases, below, width = [], [], window, self.channels
        for g, span, hop, out in zip(groups, self.spans, self.hops, self.hidden, strict=True):
            block, bias = rng.standard_normal((out, span * width)) / np.sqrt(span * width), rng.standard_normal(out)
            full = np.zeros((g * out, below * width))
            for j in range(g):  # group j reads groups j*hop .. j*hop + span - 1 of the layer below
                full[j * out : (j + 1) * out, j * hop * width : (j * hop + span) * width] = block
            weights.append(full)
            biases.append(np.tile(bias, g))
            below, width = g, out
        return weights, biases, rng.standard_normal((1, self.channels, self.frames))


DISTRIBUTED_CASES = [
    DistributedCase(40, (2, 2, 2), (2, 2, 1), (4, 8, 10), 40, 401),
    DistributedCase(3, (3, 2), (1, 2), (4, 3), 12, 402),
    DistributedCase(2, (2, 3), (2, 1), (3, 2), 15, 403),
    DistributedCase(2, (4,), (3,), (3,), 13, 404),
    DistributedCase(3, (2, 2, 2), (1, 1, 1), (2, 3, 2), 9, 405),
    DistributedCase(1, (3, 2, 2), (3, 2, 2), (2, 2, 3), 30, 406),
]


@suite.check("q10", DISTRIBUTED_CASES, title="mlp_to_conv1d_distributed")
def mlp_to_conv1d_distributed(st, c: DistributedCase):
    weights, biases, x = c.mlp()
    context = f"mlp_to_conv1d_distributed[{c}]"
    layers, distinct = expect_tuple("mlp_to_conv1d_distributed", st.mlp_to_conv1d_distributed(weights, biases, list(c.spans), list(c.hops)), 2)
    return {**_run_layers("mlp_to_conv1d_distributed", layers, x, context), "distinct_params": distinct}


@mlp_to_conv1d_distributed.reference
def _(c: DistributedCase, device: str) -> dict:
    weights, biases, x = c.mlp()
    _, window = c.groups()
    sizes = (c.channels, *c.hidden)
    return {
        "w shapes": [(o, i, s) for i, o, s in zip(sizes[:-1], sizes[1:], c.spans, strict=True)],
        "b shapes": [(o,) for o in c.hidden],
        "strides": list(c.hops),
        "distinct_params": sum(o * i * s + o for i, o, s in zip(sizes[:-1], sizes[1:], c.spans, strict=True)),
        "out": _mlp_on_windows(weights, biases, x, window, math.prod(c.hops), device),
    }

