"""hw1 practice checks: ``python check.py --torch`` compares every hw1 function with PyTorch.

Not graded. Every run draws fresh random configurations (check.py prints the seed, and
``python check.py --torch --seed N`` replays them) from the families the grader's hidden
cases come from: batches, C_in != C_out, non-square inputs and kernels, unequal (h, w) pairs,
padding with a stride, dilation, a leftover tail after the last window, a stride longer than
the dilated kernel (inputs that no window reads), a kernel as large as the input, 1-tap
kernels. Each draw tries one configuration of every family.

The references are ``torch.nn.functional.conv1d`` / ``conv2d`` in float64 and, for the
backward passes, PyTorch's autograd. This file needs PyTorch (the CPU wheel is enough);
``convolution.py`` itself must stay NumPy only.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from checklib import CheckFailure, PracticeSuite, assert_array, assert_value, expect_tuple
from torch.nn import functional as F

torch.set_num_threads(1)  # the layers here are tiny: extra threads only add overhead

suite = PracticeSuite()

# ---------------------------------------------------------------- drawing one axis of a layer

# Each family is a way the output-size arithmetic of §1 can go wrong along one axis.
FAMILIES = {
    "plain": "stride 1 or 2, padding and dilation drawn freely",
    "tail": "the floor of §1 drops a leftover tail after the last window",
    "gaps": "the stride is longer than the dilated kernel: inputs between windows are never read",
    "edge": "a kernel as large as the (unpadded) input, or a 1-tap kernel",
}


class Axis(NamedTuple):
    """One dimension of a layer: input length, kernel length, stride, padding, dilation."""

    n: int
    k: int
    s: int
    p: int
    d: int


def _int(rng: np.random.Generator, low: int, high: int) -> int:
    """A Python int in [low, high] (both ends included)."""
    return int(rng.integers(low, high + 1))


def draw_axis(rng: np.random.Generator, family: str) -> Axis:
    """A valid axis (at least one output position) of the given family; lengths stay <= 13."""
    if family == "edge":
        if rng.random() < 0.5:  # one window covering the whole input: a single output
            n = _int(rng, 1, 7)
            return Axis(n, n, _int(rng, 1, 3), 0, 1)
        return Axis(_int(rng, 2, 9), 1, _int(rng, 1, 3), _int(rng, 0, 1), _int(rng, 1, 2))
    k, d, p = _int(rng, 1, 4), _int(rng, 1, 2), _int(rng, 0, 2)
    span = d * (k - 1) + 1
    if family == "plain":
        s = _int(rng, 1, 2)
        lengths = range(max(1, span - 2 * p), 14)
    elif family == "tail":
        k, s, p = max(k, 2), _int(rng, 2, 3), min(p, 1)
        span = d * (k - 1) + 1
        lengths = [n for n in range(max(1, span - 2 * p), 14) if (n + 2 * p - span) % s]
    else:  # gaps: at least two windows, with room between them
        k, p = min(k, 3), min(p, 1)
        span = d * (k - 1) + 1
        s = span + _int(rng, 1, 2)
        lengths = range(max(1, span + s - 2 * p), 14)
    return Axis(int(rng.choice(lengths)), k, s, p, d)


# ---------------------------------------------------------------- q1 conv_output_size


def _torch_length(a: Axis) -> int | str:
    """The output length F.conv1d gives, or the message of torch's refusal."""
    x = torch.zeros(1, 1, max(a.n, 0), dtype=torch.float64)
    w = torch.zeros(1, 1, max(a.k, 0), dtype=torch.float64)
    try:
        return int(F.conv1d(x, w, stride=a.s, padding=a.p, dilation=a.d).shape[-1])
    except RuntimeError as exc:
        return str(exc).splitlines()[0]


def _refused_axes(rng: np.random.Generator) -> list[Axis]:
    """An empty output (the dilated kernel longer than the padded input) and one argument out of range."""
    k, d = _int(rng, 2, 5), _int(rng, 1, 3)
    span = d * (k - 1) + 1
    p = _int(rng, 0, (span - 2) // 2)
    empty = Axis(_int(rng, 1, span - 2 * p - 1), k, _int(rng, 1, 3), p, d)
    good = draw_axis(rng, "plain")
    bad = [
        Axis(good.n, good.k, 0, good.p, good.d),
        Axis(good.n, good.k, good.s, -1, good.d),
        Axis(good.n, good.k, good.s, good.p, 0),
        Axis(good.n, 0, good.s, good.p, good.d),
        Axis(0, good.k, good.s, good.p, good.d),
    ]
    return [empty, bad[int(rng.integers(len(bad)))]]


@suite.practice("q1", title="conv_output_size", compares_with="torch.nn.functional.conv1d (output length)", draws=20)
def output_size(st, rng: np.random.Generator) -> None:
    for a in [draw_axis(rng, family) for family in FAMILIES] + _refused_axes(rng):
        call = f"conv_output_size({a.n}, {a.k}, stride={a.s}, padding={a.p}, dilation={a.d})"
        expected = _torch_length(a)
        try:
            got = st.conv_output_size(a.n, a.k, stride=a.s, padding=a.p, dilation=a.d)
        except ValueError as exc:
            if isinstance(expected, int):
                raise CheckFailure(f"{call}: raised ValueError({exc}), expected {expected} (as F.conv1d gives)") from None
            continue
        if isinstance(expected, str):
            raise CheckFailure(f"{call}: returned {got!r}, expected a ValueError (PyTorch refuses this layer: {expected})")
        assert_value("the output size", got, expected, context=f"{call} vs F.conv1d")


# ---------------------------------------------------------------- q2, q3 correlate2d, convolve2d


def _image_and_kernel(rng: np.random.Generator, family: str) -> tuple[np.ndarray, np.ndarray]:
    h, w = _int(rng, 1, 12), _int(rng, 1, 12)
    if family == "whole":  # a single output value
        kh, kw = h, w
    elif family == "one":  # a 1x1 kernel scales the image
        kh, kw = 1, 1
    else:
        kh, kw = _int(rng, 1, h), _int(rng, 1, w)
    return rng.standard_normal((h, w)), rng.standard_normal((kh, kw))


def _torch_correlate(image: np.ndarray, kernel: torch.Tensor) -> np.ndarray:
    return F.conv2d(torch.tensor(image)[None, None], kernel[None, None])[0, 0].numpy()


@suite.practice("q2", title="correlate2d", compares_with="torch.nn.functional.conv2d", draws=15)
def correlate(st, rng: np.random.Generator) -> None:
    for family in ("any", "whole", "one"):
        image, kernel = _image_and_kernel(rng, family)
        expected = _torch_correlate(image, torch.tensor(kernel))
        context = f"correlate2d(image {image.shape}, kernel {kernel.shape}) vs F.conv2d"
        assert_array("out", st.correlate2d(image, kernel), expected, context=context)


@suite.practice("q3", title="convolve2d", compares_with="torch.nn.functional.conv2d on the flipped kernel", draws=15)
def convolve(st, rng: np.random.Generator) -> None:
    for family in ("any", "whole", "one"):
        image, kernel = _image_and_kernel(rng, family)
        expected = _torch_correlate(image, torch.tensor(kernel).flip(0, 1))  # convolution = correlation with the 180-degree turned kernel
        context = f"convolve2d(image {image.shape}, kernel {kernel.shape}) vs F.conv2d(flipped kernel)"
        assert_array("out", st.convolve2d(image, kernel), expected, context=context)


# ---------------------------------------------------------------- q4-q7 the layers


class Layer(NamedTuple):
    """A drawn layer: batch and channels, plus one Axis per spatial dimension (1 or 2)."""

    batch: int
    c_in: int
    c_out: int
    axes: tuple[Axis, ...]
    as_pairs: bool  # 2D only: pass stride/padding/dilation as (h, w) tuples even when equal
    families: tuple[str, ...]

    def _arg(self, field: str) -> int | tuple[int, int]:
        values = tuple(getattr(a, field) for a in self.axes)
        if len(values) == 1 or (values[0] == values[1] and not self.as_pairs):
            return values[0]
        return values

    @property
    def settings(self) -> dict[str, int | tuple[int, int]]:
        """stride, padding and dilation, as keyword arguments of the layer."""
        return {"stride": self._arg("s"), "padding": self._arg("p"), "dilation": self._arg("d")}

    def label(self) -> str:
        size = "x".join(str(a.n) for a in self.axes)
        kernel = "x".join(str(a.k) for a in self.axes)
        settings = ", ".join(f"{name}={value}" for name, value in self.settings.items())
        return f"[N={self.batch}, C_in={self.c_in}, C_out={self.c_out}, input {size}, kernel {kernel}, {settings}]"

    def describe(self) -> str:
        if len(self.families) == 1:
            return f"time: {FAMILIES[self.families[0]]}"
        rows, columns = self.families
        if rows == columns:
            return f"rows and columns: {FAMILIES[rows]}"
        return f"rows: {FAMILIES[rows]}; columns: {FAMILIES[columns]}"

    def arrays(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x = rng.standard_normal((self.batch, self.c_in, *(a.n for a in self.axes)))
        w = rng.standard_normal((self.c_out, self.c_in, *(a.k for a in self.axes)))
        return x, w, rng.standard_normal(self.c_out)

    def torch_out(self, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        layer = F.conv1d if len(self.axes) == 1 else F.conv2d
        return layer(x, w, b, **self.settings)


def draw_layers(rng: np.random.Generator, dims: int) -> list[Layer]:
    """One layer per family; in 2D the columns get the families in a shuffled order."""
    names = list(FAMILIES)
    columns = [names[i] for i in rng.permutation(len(names))]
    layers = []
    for rows_family, columns_family in zip(names, columns, strict=True):
        families = (rows_family,) if dims == 1 else (rows_family, columns_family)
        axes = tuple(draw_axis(rng, f) for f in families)
        c_in = _int(rng, 1, 4)
        c_out = _int(rng, 1, 5)
        layers.append(Layer(_int(rng, 1, 3), c_in, c_out, axes, bool(rng.random() < 0.3), families))
    return layers


def _forward(st, fn: str, rng: np.random.Generator, dims: int) -> None:
    for layer in draw_layers(rng, dims):
        x, w, b = layer.arrays(rng)
        expected = layer.torch_out(torch.tensor(x), torch.tensor(w), torch.tensor(b)).numpy()
        out, _cache = expect_tuple(fn, getattr(st, fn)(x, w, b, **layer.settings), 2)
        assert_array("out", out, expected, context=f"{fn}{layer.label()} ({layer.describe()})")


def _backward(st, forward: str, backward: str, rng: np.random.Generator, dims: int) -> None:
    for layer in draw_layers(rng, dims):
        x, w, b = layer.arrays(rng)
        tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        t_out = layer.torch_out(tx, tw, tb)
        dout = rng.standard_normal(tuple(t_out.shape))
        t_out.backward(torch.tensor(dout))
        context = f"{backward}{layer.label()} ({layer.describe()})"
        out, cache = expect_tuple(forward, getattr(st, forward)(x, w, b, **layer.settings), 2)
        # the backward pass needs dout of the forward's shape: a wrong shape is the forward's bug
        if tuple(np.shape(out)) != tuple(t_out.shape):
            raise CheckFailure(
                f"{forward}{layer.label()}, called by {backward}: out has shape {np.shape(out)}, expected {tuple(t_out.shape)}"
            )
        grads = expect_tuple(backward, getattr(st, backward)(dout, cache), 3)
        for name, got, reference in zip(("dx", "dw", "db"), grads, (tx, tw, tb), strict=True):
            assert_array(name, got, reference.grad.numpy(), context=context)


@suite.practice("q4", title="conv1d_forward", compares_with="torch.nn.functional.conv1d", draws=10)
def conv1d_forward(st, rng: np.random.Generator) -> None:
    _forward(st, "conv1d_forward", rng, dims=1)


@suite.practice("q5", title="conv1d_backward", compares_with="autograd through torch.nn.functional.conv1d", draws=10)
def conv1d_backward(st, rng: np.random.Generator) -> None:
    _backward(st, "conv1d_forward", "conv1d_backward", rng, dims=1)


@suite.practice("q6", title="conv2d_forward", compares_with="torch.nn.functional.conv2d", draws=10)
def conv2d_forward(st, rng: np.random.Generator) -> None:
    _forward(st, "conv2d_forward", rng, dims=2)


@suite.practice("q7", title="conv2d_backward", compares_with="autograd through torch.nn.functional.conv2d", draws=10)
def conv2d_backward(st, rng: np.random.Generator) -> None:
    _backward(st, "conv2d_forward", "conv2d_backward", rng, dims=2)
