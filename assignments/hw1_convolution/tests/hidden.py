"""hw1 hidden tests: every graded function against PyTorch (float64), on CPU and on CUDA if present.

Never shipped to students. Each check calls the student once per case and returns its outputs;
the attached ``reference`` computes the same outputs with ``torch.nn.functional`` (gradients by
autograd) on the requested device. Cases are seeded, small enough that a correct plain-loop
submission passes well within the time limit, and chosen to break the realistic bugs of the
mutant catalog (``assignments/hw1_convolution/mutants/``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from checklib import Suite, assert_value, raised
from refkit import (
    F,
    layer_backward_check,
    layer_backward_reference,
    layer_forward_check,
    layer_forward_reference,
    lazy_import,
    tensor,
    to_numpy,
    torch,
)

scipy = lazy_import("scipy")  # torch and scipy load on first use: not at all when references come from the table

suite = Suite(hidden=True)

# ---------------------------------------------------------------- q1 conv_output_size

# (n, kernel_size, stride, padding, dilation): floor vs ceil, dilation, padding, stride > kernel
SIZE_CASES = [
    (7, 3, 2, 0, 1),
    (8, 3, 3, 0, 1),
    (10, 3, 1, 0, 3),
    (9, 4, 2, 1, 1),
    (6, 5, 4, 2, 1),
    (12, 3, 5, 1, 2),
    (1, 1, 1, 0, 1),
    (5, 5, 1, 0, 1),
    (11, 2, 3, 3, 2),
]


@dataclass(frozen=True)
class SizeCase:
    n: int
    k: int
    s: int
    p: int
    d: int

    def __str__(self) -> str:
        return f"n={self.n}, kernel_size={self.k}, stride={self.s}, padding={self.p}, dilation={self.d}"


def _size_geometry(c: SizeCase) -> dict:
    """The output-size formula of a case, for the grader's feedback on a wrong size."""
    return {"formula": "conv", "axes": [{"n": c.n, "k": c.k, "s": c.s, "p": c.p, "d": c.d}], "outputs": ["size"]}


SIZE_RULES = ("ceil", "true division", "no padding", "padding once", "no dilation")


@suite.check("q1", [SizeCase(*c) for c in SIZE_CASES], title="conv_output_size", size_rules=SIZE_RULES, geometry=_size_geometry)
def conv_output_size(st, c: SizeCase):
    return {"size": st.conv_output_size(c.n, c.k, stride=c.s, padding=c.p, dilation=c.d)}


@conv_output_size.reference
def _(c: SizeCase, device: str) -> dict:
    x = torch.zeros(1, 1, c.n, device=device, dtype=torch.float64)
    w = torch.zeros(1, 1, c.k, device=device, dtype=torch.float64)
    return {"size": F.conv1d(x, w, stride=c.s, padding=c.p, dilation=c.d).shape[-1]}


@suite.check("q1", [SizeCase(3, 5, 1, 0, 1), SizeCase(5, 3, 1, 0, 3)], title="conv_output_size rejects an empty output")
def conv_output_size_empty(st, c: SizeCase):
    # torch refuses these layers ("kernel size can't be greater than actual input size")
    name = raised(st.conv_output_size, c.n, c.k, stride=c.s, padding=c.p, dilation=c.d)
    assert_value("the exception raised", name, "ValueError", context=f"conv_output_size({c})")


# ---------------------------------------------------------------- q2/q3 correlate2d, convolve2d


@dataclass(frozen=True)
class ImageCase:
    image: tuple[int, int]
    kernel: tuple[int, int]
    seed: int

    def __str__(self) -> str:
        return f"image {self.image[0]}x{self.image[1]}, kernel {self.kernel[0]}x{self.kernel[1]}"

    def inputs(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        return rng.standard_normal(self.image), rng.standard_normal(self.kernel)


IMAGE_CASES = [
    ImageCase((6, 9), (2, 3), 11),
    ImageCase((8, 5), (3, 3), 12),
    ImageCase((5, 7), (5, 7), 13),
    ImageCase((4, 6), (1, 1), 14),
    ImageCase((7, 7), (4, 2), 15),
]


@suite.check("q2", IMAGE_CASES, title="correlate2d")
def correlate2d(st, c: ImageCase):
    image, kernel = c.inputs()
    return {"out": st.correlate2d(image, kernel)}


@correlate2d.reference
def _(c: ImageCase, device: str) -> dict:
    image, kernel = c.inputs()
    return {"out": to_numpy(F.conv2d(tensor(image, device)[None, None], tensor(kernel, device)[None, None])[0, 0])}


@suite.check("q3", IMAGE_CASES, title="convolve2d")
def convolve2d(st, c: ImageCase):
    image, kernel = c.inputs()
    return {"out": st.convolve2d(image, kernel)}


@convolve2d.reference
def _(c: ImageCase, device: str) -> dict:
    image, kernel = c.inputs()
    if device == "cpu":
        return {"out": scipy.signal.convolve2d(image, kernel, mode="valid")}
    flipped = tensor(kernel, device).flip(0, 1)
    return {"out": to_numpy(F.conv2d(tensor(image, device)[None, None], flipped[None, None])[0, 0])}


# ---------------------------------------------------------------- q4-q7 conv layers


@dataclass(frozen=True)
class ConvCase:
    """One convolution layer configuration; 1D when ``size`` has one entry."""

    n: int
    c_in: int
    c_out: int
    size: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: int | tuple[int, int] = 1
    padding: int | tuple[int, int] = 0
    dilation: int | tuple[int, int] = 1
    seed: int = 0

    def __str__(self) -> str:
        dims = "x".join(map(str, self.size))
        k = "x".join(map(str, self.kernel))
        return (
            f"N={self.n}, C_in={self.c_in}, C_out={self.c_out}, input {dims}, kernel {k}, "
            f"stride={self.stride}, padding={self.padding}, dilation={self.dilation}"
        )

    @property
    def kwargs(self) -> dict:
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation}

    def inputs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        x = rng.standard_normal((self.n, self.c_in, *self.size))
        w = rng.standard_normal((self.c_out, self.c_in, *self.kernel))
        b = rng.standard_normal(self.c_out)
        return x, w, b

    def torch_forward(self, device: str, grad: bool = False):
        x, w, b = (tensor(a, device, grad) for a in self.inputs())
        conv = F.conv1d if len(self.size) == 1 else F.conv2d
        return x, w, b, conv(x, w, b, **self.kwargs)


CONV2D_CASES = [
    ConvCase(2, 3, 4, (7, 8), (3, 3), seed=21),
    ConvCase(1, 2, 3, (6, 9), (2, 3), padding=1, seed=22),
    ConvCase(2, 3, 2, (9, 7), (3, 3), stride=(2, 1), padding=(1, 0), seed=23),
    ConvCase(2, 1, 2, (10, 11), (3, 3), stride=2, padding=1, dilation=2, seed=24),
    ConvCase(1, 2, 3, (8, 8), (2, 2), stride=3, seed=25),
    ConvCase(2, 2, 2, (5, 6), (5, 6), seed=26),
    ConvCase(3, 4, 5, (6, 5), (1, 1), seed=27),
    ConvCase(2, 3, 2, (11, 9), (3, 2), stride=(3, 2), padding=(2, 1), dilation=(1, 2), seed=28),
    ConvCase(1, 1, 1, (8, 8), (3, 3), stride=3, seed=29),
]

CONV1D_CASES = [
    ConvCase(2, 3, 4, (9,), (3,), seed=41),
    ConvCase(1, 2, 3, (10,), (4,), padding=2, seed=42),
    ConvCase(2, 3, 2, (12,), (3,), stride=2, padding=1, seed=43),
    ConvCase(2, 1, 2, (13,), (3,), stride=2, padding=1, dilation=2, seed=44),
    ConvCase(1, 2, 3, (11,), (2,), stride=4, seed=45),
    ConvCase(2, 2, 2, (6,), (6,), seed=46),
    ConvCase(3, 4, 5, (7,), (1,), seed=47),
    ConvCase(1, 1, 1, (10,), (3,), stride=3, seed=48),
]


def _layer_geometry(c: ConvCase) -> dict:
    """A layer case's output-size formula, per spatial axis, for the grader's feedback on a wrong shape."""
    dims = len(c.size)
    pairs = [(v,) * dims if isinstance(v, int) else tuple(v) for v in (c.stride, c.padding, c.dilation)]
    axes = [{"n": c.size[i], "k": c.kernel[i], "s": pairs[0][i], "p": pairs[1][i], "d": pairs[2][i]} for i in range(dims)]
    out = [(a["n"] + 2 * a["p"] - a["d"] * (a["k"] - 1) - 1) // a["s"] + 1 for a in axes]
    sizes = {"N": c.n, "C_in": c.c_in, "C_out": c.c_out, **dict(zip(("H'", "W'") if dims == 2 else ("L'",), out, strict=True))}
    return {"formula": "conv", "axes": axes, "outputs": ["out"], "sizes": sizes}


LAYER_RULES = ("ceil", "no padding", "padding once", "no dilation", "no stride", "axes swapped", "width from height", "height from width")

suite.check("q4", CONV1D_CASES, title="conv1d_forward", size_rules=LAYER_RULES, geometry=_layer_geometry)(layer_forward_check("conv1d_forward")).reference(layer_forward_reference)
suite.check("q5", CONV1D_CASES, title="conv1d_backward", geometry=_layer_geometry)(layer_backward_check("conv1d_forward", "conv1d_backward")).reference(layer_backward_reference)
suite.check("q6", CONV2D_CASES, title="conv2d_forward", size_rules=LAYER_RULES, geometry=_layer_geometry)(layer_forward_check("conv2d_forward")).reference(layer_forward_reference)
suite.check("q7", CONV2D_CASES, title="conv2d_backward", geometry=_layer_geometry)(layer_backward_check("conv2d_forward", "conv2d_backward")).reference(layer_backward_reference)
