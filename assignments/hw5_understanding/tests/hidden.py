"""hw5 hidden tests: every graded function against PyTorch and Captum, on CPU and on CUDA if present.

Never shipped to students. The network of ``student/model.py`` is rebuilt here with ``torch.nn``
(the params are copied into it, float64, TF32 off). References:

- occlusion_probability_map: the occluded images through the torch network, softmax;
- occlusion_attribution: ``captum.attr.Occlusion`` (its output is float32 whatever the model's
  dtype: compared at rtol 1e-5) and an exact float64 reference of the same semantics written
  with torch ops (compared at 1e-10): two checks, each calling the student once;
- saliency: ``captum.attr.Saliency`` (abs=True) in float64;
- activation_maps: forward hooks on the ReLU modules;
- dead_filters, channel_correlation, filter_mosaic: torch reductions, ``torch.corrcoef``, torch
  tensor assembly.

Inputs come from the shipped weights and data sets (loaded here directly, not through
``model.py``) and from seeded random networks with RGB (C = 3) inputs. Cases are small enough
that a plain-loop submission (one forward pass per window) needs well under a second each.
"""

from __future__ import annotations

import functools
import pathlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from checklib import CheckFailure, Suite, assert_value, raised
from refkit import lazy_import, nn, pair, tabled, tensor, to_numpy, torch

captum_attr = lazy_import("captum.attr")

suite = Suite(hidden=True)
STUDENT = pathlib.Path(__file__).resolve().parent.parent / "student"


# ---------------------------------------------------------------- inputs


@functools.cache
def _weights(name: str) -> dict:
    """The shipped weights, or a seeded random network: ``random_rgb`` (C = 3, 4 classes)."""
    if name == "random_rgb":
        rng = np.random.default_rng(2024)
        shapes = {"conv1": (8, 3), "conv2": (16, 8), "conv3": (32, 16)}
        params = {}
        for layer, (c_out, c_in) in shapes.items():
            params[f"{layer}.weight"] = rng.standard_normal((c_out, c_in, 3, 3)) * np.sqrt(2.0 / (9 * c_in))
            params[f"{layer}.bias"] = 0.1 * rng.standard_normal(c_out)
        params["fc.weight"] = rng.standard_normal((4, 32)) * np.sqrt(1.0 / 32)
        params["fc.bias"] = 0.1 * rng.standard_normal(4)
        return params
    with np.load(STUDENT / f"{name}.npz") as data:
        return {name_: np.asarray(data[name_], dtype=np.float64) for name_ in data.files}


def _params(name: str) -> dict:
    """A fresh copy of the weights (the cached arrays are never handed out)."""
    return {key: value.copy() for key, value in _weights(name).items()}


@tabled  # read from the release-time table when grading: scikit-learn is never imported there
def _digits() -> tuple[np.ndarray, np.ndarray]:
    """The 450 test digits of model.load_digits (same split), (450, 1, 8, 8) in [0, 1]."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    test = np.sort(np.random.default_rng(0).permutation(len(digits.images))[:450])
    return (digits.images[test] / 16.0)[:, None], digits.target[test].astype(np.int64)


@tabled  # likewise scikit-image
def _faces() -> tuple[np.ndarray, np.ndarray]:
    """All 200 images of skimage's lfw_subset: 100 faces (label 1) then 100 non-faces (label 0)."""
    from skimage.data import lfw_subset

    return lfw_subset().astype(np.float64)[:, None], np.repeat(np.array([1, 0]), 100)


def _images(data: str, index: tuple[int, ...], noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """A batch (N, C, H, W) and its labels: ``digits``/``faces`` by index, or ``rgb HxW seed`` noise.

    ``noise`` adds a tiny seeded perturbation: the pixels of both data sets are quantized, so
    flat regions give exactly tied max-pool windows, which the float64 rounding of two
    different convolution codes can break in different ways (the max is the same, the position
    the gradient goes to is not). Saliency cases perturb their inputs to stay clear of ties.
    """
    if data.startswith("rgb"):
        _, size, seed = data.split()
        h, w = map(int, size.split("x"))
        x = np.random.default_rng(int(seed)).uniform(0, 1, (len(index), 3, h, w))
        y = np.zeros(len(index), dtype=np.int64)
    else:
        xs, ys = _digits() if data == "digits" else _faces()
        x, y = xs[list(index)].copy(), ys[list(index)].copy()
    if noise:
        x = x + noise * np.random.default_rng(len(index)).standard_normal(x.shape)
    return x, y


def _target(spec: int | str, label: int) -> int:
    return int(label) if spec == "true" else (int(label) + 3) % 10 if spec == "wrong" else int(spec)


# ---------------------------------------------------------------- the torch network


def _torch_cnn(params: dict, device: str) -> nn.Sequential:
    """model.py's network in torch.nn: the Sequential's state_dict keys are the params' keys."""
    c_in, classes = params["conv1.weight"].shape[1], params["fc.weight"].shape[0]
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    for k, (a, b) in enumerate([(c_in, 8), (8, 16), (16, 32)], start=1):
        layers[f"conv{k}"] = nn.Conv2d(a, b, 3, padding=1)
        layers[f"relu{k}"] = nn.ReLU()
        layers[f"pool{k}"] = nn.MaxPool2d(2)
    layers["gap"] = nn.AdaptiveAvgPool2d(1)
    layers["flatten"] = nn.Flatten()
    layers["fc"] = nn.Linear(32, classes)
    net = nn.Sequential(layers).double()
    net.load_state_dict({key: torch.tensor(value) for key, value in params.items()})
    return net.to(device).eval()


# ---------------------------------------------------------------- q1, q2 occlusion


@dataclass(frozen=True)
class OcclusionCase:
    model: str
    data: str
    index: int
    target: int | str
    window: int | tuple[int, int]
    stride: int | tuple[int, int] = 1
    fill: float | str = 0.0  # "array": a seeded random baseline shaped like the image

    def __str__(self) -> str:
        fill = "a random array baseline" if isinstance(self.fill, str) else f"fill/baseline={self.fill}"
        return f"{self.model} on {self.data} #{self.index}, target {self.target}, window={self.window}, stride={self.stride}, {fill}"

    def inputs(self) -> tuple[dict, np.ndarray, int, float | np.ndarray]:
        x, y = _images(self.data, (self.index,))
        fill = np.random.default_rng(7).standard_normal(x.shape[1:]) * 0.5 if isinstance(self.fill, str) else self.fill
        return _params(self.model), x[0], _target(self.target, y[0]), fill

    def pairs(self) -> tuple[tuple[int, int], tuple[int, int]]:
        return pair(self.window), pair(self.stride)


PROBABILITY_CASES = [
    OcclusionCase("digits_cnn", "digits", 0, "true", 3),
    OcclusionCase("digits_cnn", "digits", 7, "wrong", 2, (1, 2), 0.5),
    OcclusionCase("faces_cnn", "faces", 3, 1, 5, 3),
    OcclusionCase("faces_cnn_high_lr", "faces", 150, 0, (4, 6), (3, 2), 1.0),
    OcclusionCase("random_rgb", "rgb 14x17 1", 0, 2, (3, 4), (2, 3), 0.25),
    OcclusionCase("digits_cnn", "digits", 11, "true", 8),
    OcclusionCase("digits_cnn", "digits", 12, "true", 1, 1, 1.0),
]


def _family(case) -> str:
    """The family of a case's network (``check.py --torch`` draws each one every run)."""
    return "rgb" if "rgb" in getattr(case, "model", getattr(case, "source", "")) else "gray"


@suite.check("q1", PROBABILITY_CASES, title="occlusion_probability_map", family=_family)
def probability_map(st, c: OcclusionCase):
    params, image, target, fill = c.inputs()
    return {"pmap": st.occlusion_probability_map(params, image, target, c.window, stride=c.stride, fill=fill)}


@probability_map.reference
def _(c: OcclusionCase, device: str) -> dict:
    params, image, target, fill = c.inputs()
    (wh, ww), (sh, sw) = c.pairs()
    _, h, w = image.shape
    n_h, n_w = (h - wh) // sh + 1, (w - ww) // sw + 1
    batch = tensor(image, device).repeat(n_h * n_w, 1, 1, 1)
    for i in range(n_h):
        for j in range(n_w):
            batch[i * n_w + j, :, i * sh : i * sh + wh, j * sw : j * sw + ww] = fill
    with torch.no_grad():
        probs = torch.softmax(_torch_cnn(params, device)(batch), dim=1)[:, target]
    return {"pmap": to_numpy(probs.reshape(n_h, n_w))}


@suite.check("q1", title="occlusion_probability_map refuses a window larger than the image")
def probability_map_too_large(st, _):
    params, image, target, _fill = OcclusionCase("digits_cnn", "digits", 0, "true", 9).inputs()
    name = raised(st.occlusion_probability_map, params, image, target, 9)
    assert_value("the exception raised", name, "ValueError", context="occlusion_probability_map(8x8 digit, window=9)")


ATTRIBUTION_CASES = [
    OcclusionCase("faces_cnn", "faces", 3, 1, 5, 3),  # 25 px, window 5, stride 3: 8 windows, the last cropped to 4 px
    OcclusionCase("faces_cnn", "faces", 10, 1, 6, 6),  # window = stride = 6: 5 windows, the last cropped to 1 px
    OcclusionCase("digits_cnn", "digits", 0, "true", 3, 2),
    OcclusionCase("digits_cnn", "digits", 4, "wrong", (2, 3), (1, 2), 0.5),
    OcclusionCase("digits_cnn", "digits", 11, "true", 8),  # a full-size window
    OcclusionCase("digits_cnn", "digits", 12, "true", 1),  # 1x1 windows
    OcclusionCase("random_rgb", "rgb 14x17 1", 0, 1, (3, 4), (2, 3), "array"),
    OcclusionCase("faces_cnn_high_lr", "faces", 160, 0, 5, 1),
]


def _call_attribution(st, c: OcclusionCase) -> dict:
    params, image, target, baseline = c.inputs()
    return {"attribution": st.occlusion_attribution(params, image, target, c.window, stride=c.stride, baseline=baseline)}


def attribution_float64(st, c: OcclusionCase) -> dict:
    return _call_attribution(st, c)


def attribution_captum(st, c: OcclusionCase) -> dict:
    return _call_attribution(st, c)


def _attribution_exact(c: OcclusionCase, device: str) -> dict:
    """Float64, with torch ops: every window start k*s for k < ceil((D - w) / s) + 1, cropped by
    slicing; the per-pixel mean of the target logit's drop over the windows covering it."""
    params, image, target, baseline = c.inputs()
    (wh, ww), (sh, sw) = c.pairs()
    x = tensor(image, device)
    base = tensor(np.broadcast_to(baseline, image.shape), device)
    _, h, w = image.shape
    starts_h = [k * sh for k in range(int(np.ceil((h - wh) / sh)) + 1)]
    starts_w = [k * sw for k in range(int(np.ceil((w - ww) / sw)) + 1)]
    masks = torch.zeros(len(starts_h) * len(starts_w), h, w, dtype=torch.float64, device=device)
    for i, r in enumerate(starts_h):
        for j, q in enumerate(starts_w):
            masks[i * len(starts_w) + j, r : r + wh, q : q + ww] = 1.0
    occluded = x[None] * (1 - masks[:, None]) + base[None] * masks[:, None]
    with torch.no_grad():
        net = _torch_cnn(params, device)
        drops = net(x[None])[0, target] - net(occluded)[:, target]
    mean = torch.einsum("k,khw->hw", drops, masks) / masks.sum(dim=0)
    return {"attribution": to_numpy(mean.expand_as(x))}


def _attribution_captum(c: OcclusionCase, device: str) -> dict:
    params, image, target, baseline = c.inputs()
    (wh, ww), (sh, sw) = c.pairs()
    channels = image.shape[0]
    baselines = tensor(np.asarray(baseline)[None], device) if isinstance(baseline, np.ndarray) else float(baseline)
    attr = captum_attr.Occlusion(_torch_cnn(params, device)).attribute(
        tensor(image[None], device),
        target=target,
        sliding_window_shapes=(channels, wh, ww),
        strides=(channels, sh, sw),
        baselines=baselines,
        perturbations_per_eval=64,
    )
    return {"attribution": to_numpy(attr[0])}  # float32, whatever the model's dtype


suite.check("q2", ATTRIBUTION_CASES, title="occlusion_attribution", rtol=1e-10, atol=1e-10, family=_family)(attribution_float64).reference(_attribution_exact)
suite.check("q2", ATTRIBUTION_CASES, title="occlusion_attribution vs Captum", rtol=1e-5, atol=1e-6, family=_family)(attribution_captum).reference(
    _attribution_captum
)


ATTRIBUTION_ERRORS = [("faces_cnn", 25, 3, 4, None), ("digits_cnn", 8, 9, 1, None), ("digits_cnn", 8, 3, 1, (1, 8, 7))]


@suite.check("q2", ATTRIBUTION_ERRORS, title="occlusion_attribution refuses a bad window or baseline")
def attribution_errors(st, c):
    # a stride larger than the window (Captum's assertion), a window larger than the image, and
    # an array baseline not shaped like the image
    model, size, window, stride, baseline_shape = c
    params, image, target, _fill = OcclusionCase(model, "faces" if size == 25 else "digits", 0, 1, window).inputs()
    baseline = 0.0 if baseline_shape is None else np.full(baseline_shape, 0.5)
    name = raised(st.occlusion_attribution, params, image, target, window, stride=stride, baseline=baseline)
    shown = "" if baseline_shape is None else f", baseline of shape {baseline_shape}"
    assert_value("the exception raised", name, "ValueError", context=f"occlusion_attribution({size}x{size} image, window={window}, stride={stride}{shown})")


# ---------------------------------------------------------------- q3 saliency


@dataclass(frozen=True)
class BatchCase:
    model: str
    data: str
    index: tuple[int, ...]
    targets: tuple[int | str, ...] | int = "true"
    layer: int = 0

    def __str__(self) -> str:
        what = f", layer {self.layer}" if self.layer else f", targets {self.targets}"
        return f"{self.model} on {self.data} #{','.join(map(str, self.index))}{what}"

    def inputs(self, noise: float = 0.0) -> tuple[dict, np.ndarray, list[int] | int]:
        x, y = _images(self.data, self.index, noise)
        if isinstance(self.targets, int):
            return _params(self.model), x, self.targets
        specs = self.targets if isinstance(self.targets, tuple) else (self.targets,) * len(y)
        return _params(self.model), x, [_target(s, label) for s, label in zip(specs, y, strict=True)]


SALIENCY_CASES = [
    BatchCase("digits_cnn", "digits", (0, 1, 2, 3, 4)),
    BatchCase("digits_cnn", "digits", (5, 6, 7), (0, 9, "wrong")),
    BatchCase("faces_cnn", "faces", (0, 50, 120, 180), (1, 1, 0, 0)),
    BatchCase("faces_cnn_high_lr", "faces", (3, 140), 1),  # an int: the same target for both
    BatchCase("random_rgb", "rgb 12x10 3", (0, 1, 2), (0, 3, 1)),
]
SALIENCY_NOISE = 1e-3


@suite.check("q3", SALIENCY_CASES, title="saliency", rtol=1e-11, atol=1e-12, family=_family)
def saliency(st, c: BatchCase):
    params, x, targets = c.inputs(SALIENCY_NOISE)
    return {"saliency": st.saliency(params, x, targets)}


@saliency.reference
def _(c: BatchCase, device: str) -> dict:
    params, x, targets = c.inputs(SALIENCY_NOISE)
    target = targets if isinstance(targets, int) else torch.tensor(targets, device=device)
    inputs = tensor(x, device, grad=True)
    return {"saliency": to_numpy(captum_attr.Saliency(_torch_cnn(params, device)).attribute(inputs, target=target, abs=True))}


# ---------------------------------------------------------------- q4 activation_maps

ACTIVATION_CASES = [
    BatchCase("digits_cnn", "digits", (0, 1, 2, 3), layer=1),
    BatchCase("faces_cnn", "faces", (0, 150), layer=2),
    BatchCase("faces_cnn_high_lr", "faces", (5, 105, 190), layer=3),
    BatchCase("random_rgb", "rgb 12x10 3", (0, 1), layer=2),
]


def _torch_activations(params: dict, x: np.ndarray, layer: int, device: str, before_relu: bool = False) -> torch.Tensor:
    """The output of ReLU number ``layer`` (or its input), caught by a forward hook."""
    net = _torch_cnn(params, device)
    caught = {}

    def hook(_module, args, output):
        caught["value"] = args[0] if before_relu else output

    handle = getattr(net, f"relu{layer}").register_forward_hook(hook)
    with torch.no_grad():
        net(tensor(x, device))
    handle.remove()
    return caught["value"]


@suite.check("q4", ACTIVATION_CASES, title="activation_maps", family=_family)
def activation_maps(st, c: BatchCase):
    params, x, _ = c.inputs()
    return {"maps": st.activation_maps(params, x, c.layer)}


@activation_maps.reference
def _(c: BatchCase, device: str) -> dict:
    params, x, _ = c.inputs()
    return {"maps": to_numpy(_torch_activations(params, x, c.layer, device))}


@suite.check("q4", [0, 4], title="activation_maps refuses a layer that does not exist")
def activation_bad_layer(st, layer: int):
    params, x, _ = BatchCase("faces_cnn", "faces", (0,)).inputs()
    name = raised(st.activation_maps, params, x, layer)
    assert_value("the exception raised", name, "ValueError", context=f"activation_maps(layer={layer})")


# ---------------------------------------------------------------- q5, q6 dead filters and correlation


@dataclass(frozen=True)
class ActivationCase:
    """An activation array given to the student: a layer of a shipped model, or a synthetic one."""

    source: str  # "<model> <data> <layer> <n images>[ pre]" or "synthetic <name>"

    def __str__(self) -> str:
        if self.source.startswith("synthetic"):
            return self.source
        model, data, layer, n, *pre = self.source.split()
        where = "before the ReLU" if pre else "after the ReLU"
        return f"{model}, conv{layer} {where}, {n} {data} images"

    def activations(self) -> np.ndarray:
        return _activation_array(self.source).copy()


@tabled
def _activation_array(source: str) -> np.ndarray:
    if source == "synthetic signs":
        acts = np.random.default_rng(31).standard_normal((4, 6, 5, 5))
        acts[:, 1] = 0.0  # dead: never positive
        acts[:, 2] = -np.abs(acts[:, 2]) - 0.1
        acts[2, 2, 3, 1] = 0.05  # mostly negative, one positive value: alive
        acts[:, 3] = -np.abs(acts[:, 3])  # dead
        acts[:, 4] = np.abs(acts[:, 4]) + 0.2
        return acts
    if source == "synthetic constants":
        rng = np.random.default_rng(32)
        acts = rng.standard_normal((3, 5, 4, 10))
        acts[:, 1] = 1.0 / 3.0  # constant, but np.var gives ~3e-33, not 0
        acts[:, 2] = 0.0
        acts[:, 3] = 2.0 * acts[:, 0] + 1.0  # correlation 1 with channel 0
        return acts
    model, data, layer, n, *pre = source.split()
    count = int(n)
    step = (200 if data == "faces" else 450) // count
    x, _ = _images(data, tuple(range(0, step * count, step)))
    return to_numpy(_torch_activations(_weights(model), x, int(layer), "cpu", before_relu=bool(pre)))


DEAD_CASES = [
    ActivationCase("faces_cnn_high_lr faces 3 200"),
    ActivationCase("faces_cnn faces 2 200"),
    ActivationCase("digits_cnn digits 3 450"),
    ActivationCase("faces_cnn_high_lr faces 3 20 pre"),
    ActivationCase("synthetic signs"),
]


@suite.check("q5", DEAD_CASES, title="dead_filters")
def dead_filters(st, c: ActivationCase):
    dead = st.dead_filters(c.activations())
    if isinstance(dead, np.ndarray) and dead.dtype != np.bool_:
        raise CheckFailure(f"dead_filters[{c}]: dead has dtype {dead.dtype}, expected bool")
    return {"dead": dead}


@dead_filters.reference
def _(c: ActivationCase, device: str) -> dict:
    acts = tensor(c.activations(), device)
    return {"dead": (acts.amax(dim=(0, 2, 3)) <= 0).cpu().numpy()}


CORRELATION_CASES = [
    ActivationCase("faces_cnn faces 2 40"),
    ActivationCase("faces_cnn_high_lr faces 3 200"),
    ActivationCase("digits_cnn digits 1 50"),
    ActivationCase("synthetic constants"),
]


@suite.check("q6", CORRELATION_CASES, title="channel_correlation")
def channel_correlation(st, c: ActivationCase):
    return {"corr": st.channel_correlation(c.activations())}


@channel_correlation.reference
def _(c: ActivationCase, device: str) -> dict:
    acts = tensor(c.activations(), device)
    values = acts.transpose(0, 1).reshape(acts.shape[1], -1)
    constant = values.amax(dim=1) == values.amin(dim=1)  # §6's definition of a constant channel: exactly
    corr = torch.corrcoef(values)
    corr[constant, :] = 0.0
    corr[:, constant] = 0.0
    return {"corr": to_numpy(corr)}


# ---------------------------------------------------------------- q7 filter_mosaic


@dataclass(frozen=True)
class MosaicCase:
    source: str  # a shipped model's conv1, or "random rgb" / "random constant"
    ncols: int = 8
    pad: int = 1

    def __str__(self) -> str:
        return f"{self.source} filters, ncols={self.ncols}, pad={self.pad}"

    def weights(self) -> np.ndarray:
        if self.source == "random rgb":
            return np.random.default_rng(41).standard_normal((10, 3, 3, 3))
        if self.source == "random few":  # fewer filters than ncols: unused cells in the only row
            return np.random.default_rng(44).standard_normal((3, 1, 2, 2))
        if self.source == "random constant":
            w = np.random.default_rng(42).standard_normal((5, 1, 4, 4))
            w[2] = 0.7
            return w
        return _params(self.source)["conv1.weight"]


MOSAIC_CASES = [
    MosaicCase("digits_cnn"),
    MosaicCase("faces_cnn", ncols=3),
    MosaicCase("random rgb", ncols=4, pad=2),
    MosaicCase("random constant", ncols=2, pad=0),
    MosaicCase("faces_cnn_high_lr", ncols=5),
    MosaicCase("random few", ncols=5, pad=1),
]


@suite.check("q7", MOSAIC_CASES, title="filter_mosaic", family=_family)
def filter_mosaic(st, c: MosaicCase):
    return {"mosaic": st.filter_mosaic(c.weights(), ncols=c.ncols, pad=c.pad)}


@filter_mosaic.reference
def _(c: MosaicCase, device: str) -> dict:
    w = tensor(c.weights(), device)
    c_out, c_in, k, _ = w.shape
    lo = w.amin(dim=(1, 2, 3), keepdim=True)
    hi = w.amax(dim=(1, 2, 3), keepdim=True)
    tiles = torch.where(hi > lo, (w - lo) / torch.where(hi > lo, hi - lo, 1.0), 0.5).permute(0, 2, 3, 1)  # (F, k, k, C)
    rows = -(-c_out // c.ncols)
    canvas = torch.ones(rows * (k + c.pad) - c.pad, c.ncols * (k + c.pad) - c.pad, c_in, dtype=torch.float64, device=device)
    for f in range(c_out):
        top, left = (f // c.ncols) * (k + c.pad), (f % c.ncols) * (k + c.pad)
        canvas[top : top + k, left : left + k] = tiles[f]
    return {"mosaic": to_numpy(canvas[..., 0] if c_in == 1 else canvas)}


MOSAIC_ERRORS = [(2, 8, 1), (4, 8, 1), (1, 0, 1), (3, 4, -1)]  # (C_in, ncols, pad)


@suite.check("q7", MOSAIC_ERRORS, title="filter_mosaic refuses C_in other than 1 or 3, ncols < 1, pad < 0")
def mosaic_bad_arguments(st, c):
    c_in, ncols, pad = c
    weights = np.random.default_rng(43).standard_normal((6, c_in, 3, 3))
    name = raised(st.filter_mosaic, weights, ncols=ncols, pad=pad)
    assert_value("the exception raised", name, "ValueError", context=f"filter_mosaic(weights (6, {c_in}, 3, 3), ncols={ncols}, pad={pad})")
