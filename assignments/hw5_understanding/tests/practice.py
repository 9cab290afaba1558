"""hw5 practice checks: ``python check.py --torch`` (not graded; needs PyTorch and Captum).

Every run draws fresh random configurations (the seed is printed; ``--seed N`` replays them)
and runs your functions on the shipped trained networks (``digits_cnn``, ``faces_cnn``,
``faces_cnn_high_lr``, with images from their data sets) and on random RGB networks. The same
network is rebuilt with ``torch.nn`` from the same weights, and your results are compared with:

- ``occlusion_attribution``: ``captum.attr.Occlusion`` (float32 output: rtol 1e-5, atol 1e-6);
- ``saliency``: ``captum.attr.Saliency`` (abs=True, float64);
- ``activation_maps``: forward hooks on the torch network's ReLU modules;
- ``occlusion_probability_map``: the occluded images through the torch network, then softmax;
- ``dead_filters``, ``channel_correlation``: ``torch.amax`` and ``torch.corrcoef`` applied to the
  handout's definitions (§5, §6).

``filter_mosaic`` gets property checks only (shape, white background, each tile its filter
rescaled to [0, 1]). The ``ValueError`` cases of §2, §3, §5 and §7 are checked too.

Without scikit-learn or scikit-image (the data sets), random images of the same sizes are used.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import captum.attr
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from checklib import CheckFailure, PracticeSuite, assert_array, assert_value, raised

suite = PracticeSuite()

HERE = Path(__file__).resolve().parent
# The bundle holds model.py and the weights next to this file; the course repository, in ../student.
SUPPORT = HERE if (HERE / "model.py").is_file() else HERE.parent / "student"
TRAINED = ("digits_cnn", "faces_cnn", "faces_cnn_high_lr")
MAX_WINDOWS = 120  # occluded images per draw: keeps a plain-loop solution under a second a draw


# ---------------------------------------------------------------- networks and images


@functools.cache
def _support_model():
    """The shipped model.py, loaded by its path under a private name."""
    spec = importlib.util.spec_from_file_location("hw5_practice_model", SUPPORT / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def _trained(name: str) -> dict:
    with np.load(SUPPORT / f"{name}.npz") as data:
        return {key: data[key].astype(np.float64) for key in data.files}


@functools.cache
def _data(name: str) -> np.ndarray | None:
    """Every image of a data set (train and test), or None if its library is missing."""
    loader = {"digits": "load_digits", "faces": "load_faces"}[name]
    try:
        x_train, _, x_test, _ = getattr(_support_model(), loader)()
    except ImportError:
        return None
    return np.concatenate([x_train, x_test])


def _random_rgb_params(rng: np.random.Generator, classes: int) -> dict:
    """A random network with RGB inputs (He-scaled weights, small biases)."""
    params, c_prev = {}, 3
    for k, width in enumerate((8, 16, 32), start=1):
        params[f"conv{k}.weight"] = rng.standard_normal((width, c_prev, 3, 3)) * np.sqrt(2.0 / (9 * c_prev))
        params[f"conv{k}.bias"] = 0.1 * rng.standard_normal(width)
        c_prev = width
    params["fc.weight"] = rng.standard_normal((classes, 32)) / np.sqrt(32.0)
    params["fc.bias"] = 0.1 * rng.standard_normal(classes)
    return params


FAMILIES = ("gray", "rgb")  # the hidden cases' networks: the shipped (grayscale) ones, and random RGB ones


def draw_network(rng: np.random.Generator, n: int, rgb_share: float = 0.25, family: str | None = None) -> tuple[str, dict, np.ndarray]:
    """(description, a fresh copy of the params, n images (n, C, H, W)): a shipped network on
    images of its data set (``family="gray"``), or a random RGB network (``family="rgb"``); with
    no family, RGB with probability ``rgb_share``."""
    if family == "rgb" or (family is None and rng.random() < rgb_share):
        classes, h, w = int(rng.integers(2, 6)), int(rng.integers(8, 17)), int(rng.integers(8, 17))
        params = _random_rgb_params(rng, classes)
        return f"random RGB network ({classes} classes) on {n} random {h}x{w} image(s)", params, rng.uniform(0, 1, (n, 3, h, w))
    name = TRAINED[int(rng.integers(len(TRAINED)))]
    data = "digits" if name == "digits_cnn" else "faces"
    images = _data(data)
    params = {key: value.copy() for key, value in _trained(name).items()}
    if images is None:
        size = 8 if data == "digits" else 25
        return f"{name} on {n} random {size}x{size} image(s)", params, rng.uniform(0, 1, (n, 1, size, size))
    index = rng.choice(len(images), size=n, replace=False)
    where = ", ".join(str(int(i)) for i in index[:4]) + (f", ... ({n} images)" if n > 4 else "")
    return f"{name} on {data} #{where}", params, images[index].copy()


class TorchCNN(nn.Module):
    """model.py's network in torch.nn, float64: its state_dict keys are the params' names."""

    def __init__(self, params: dict) -> None:
        super().__init__()
        channels = params["conv1.weight"].shape[1]
        self.conv1, self.relu1 = nn.Conv2d(channels, 8, 3, padding=1), nn.ReLU()
        self.conv2, self.relu2 = nn.Conv2d(8, 16, 3, padding=1), nn.ReLU()
        self.conv3, self.relu3 = nn.Conv2d(16, 32, 3, padding=1), nn.ReLU()
        self.fc = nn.Linear(32, len(params["fc.bias"]))
        self.double().load_state_dict({key: torch.from_numpy(np.array(value, dtype=np.float64)) for key, value in params.items()})
        self.eval()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv, relu in ((self.conv1, self.relu1), (self.conv2, self.relu2), (self.conv3, self.relu3)):
            x = F.max_pool2d(relu(conv(x)), 2)
        return self.fc(x.mean(dim=(2, 3)))


def as_tensor(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(a, dtype=np.float64))


def hooked(params: dict, images: np.ndarray, layer: int, before_relu: bool = False) -> np.ndarray:
    """What ReLU number ``layer`` of the torch network receives (or returns), via a forward hook."""
    net, seen = TorchCNN(params), []
    relu = getattr(net, f"relu{layer}")
    handle = relu.register_forward_hook(lambda _m, inputs, output: seen.append(inputs[0] if before_relu else output))
    with torch.no_grad():
        net(as_tensor(images))
    handle.remove()
    return seen[0].numpy()


def draw_window(rng: np.random.Generator, size: int) -> int:
    """A window size from 1 to ``size``, small ones more often (they are the interesting ones)."""
    if rng.random() < 0.8:
        return int(min(size, rng.geometric(0.25)))
    return int(rng.integers(1, size + 1))


def compact(rng: np.random.Generator, h: int, w: int) -> int | tuple[int, int]:
    """An (h, w) pair, written as one int half of the time when h == w (both forms are allowed)."""
    return h if h == w and rng.random() < 0.5 else (h, w)


def describe(value) -> str:
    return "an array shaped like the image" if isinstance(value, np.ndarray) else f"{value:g}"


# ---------------------------------------------------------------- q1 occlusion_probability_map


@suite.practice("q1", title="occlusion_probability_map vs the occluded images through torch", compares_with="torch.softmax of the torch network's logits", draws=6, families=FAMILIES)
def probability_map(st, rng: np.random.Generator, family: str) -> None:
    label, params, images = draw_network(rng, 1, family=family)
    image = images[0]
    height, width = image.shape[1:]
    while True:  # a patch that fits, with at most MAX_WINDOWS positions
        wh, ww = draw_window(rng, height), draw_window(rng, width)
        sh, sw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        rows, cols = range(0, height - wh + 1, sh), range(0, width - ww + 1, sw)
        if len(rows) * len(cols) <= MAX_WINDOWS:
            break
    fill = float(rng.choice([0.0, 0.5, 1.0, round(float(rng.uniform(-1, 2)), 3)]))
    target = int(rng.integers(params["fc.weight"].shape[0]))
    window, stride = compact(rng, wh, ww), compact(rng, sh, sw)
    context = f"occlusion_probability_map[{label}, target {target}, window={window}, stride={stride}, fill={fill:g}]"
    pmap = st.occlusion_probability_map(params, image, target, window, stride=stride, fill=fill)

    batch = as_tensor(image).repeat(len(rows) * len(cols), 1, 1, 1)
    for i, top in enumerate(rows):
        for j, left in enumerate(cols):
            batch[i * len(cols) + j, :, top : top + wh, left : left + ww] = fill
    with torch.no_grad():
        probabilities = torch.softmax(TorchCNN(params)(batch), dim=1)[:, target]
    assert_array("pmap", pmap, probabilities.reshape(len(rows), len(cols)).numpy(), context=context)


@suite.practice("q1", title="occlusion_probability_map refuses a window that does not fit", draws=4)
def probability_map_errors(st, rng: np.random.Generator) -> None:
    label, params, images = draw_network(rng, 1)
    height, width = images.shape[2:]
    window = [(height + int(rng.integers(1, 4)), 1), (1, width + int(rng.integers(1, 4))), (0, 2), (2, 0)][int(rng.integers(4))]
    name = raised(st.occlusion_probability_map, params, images[0], 0, window)
    assert_value("the exception raised", name, "ValueError", context=f"occlusion_probability_map[{label}, window={window}]")


# ---------------------------------------------------------------- q2 occlusion_attribution


def draw_captum_window(rng: np.random.Generator, size: int) -> tuple[int, int]:
    """(window, stride) along one dimension, as Captum allows them: stride <= window unless the
    window spans the whole dimension. Half the time the stride does not divide size - window,
    so that the last window is cropped at the border."""
    window = draw_window(rng, size)
    if window == size:
        return window, int(rng.integers(1, 6))
    strides = list(range(1, window + 1))
    cropping = [s for s in strides if (size - window) % s]
    if cropping and rng.random() < 0.5:
        return window, int(rng.choice(cropping))
    return window, int(rng.choice(strides))


def windows_along(size: int, window: int, stride: int) -> int:
    return -(-(size - window) // stride) + 1


@suite.practice("q2", title="occlusion_attribution vs captum.attr.Occlusion", compares_with="captum.attr.Occlusion", draws=8, families=FAMILIES)
def attribution_vs_captum(st, rng: np.random.Generator, family: str) -> None:
    label, params, images = draw_network(rng, 1, family=family)
    image = images[0]
    channels, height, width = image.shape
    while True:
        (wh, sh), (ww, sw) = draw_captum_window(rng, height), draw_captum_window(rng, width)
        if windows_along(height, wh, sh) * windows_along(width, ww, sw) <= MAX_WINDOWS:
            break
    kind = int(rng.integers(3))
    baseline = [0.0, round(float(rng.uniform(-0.5, 1.5)), 3), None][kind]
    if baseline is None:
        baseline = 0.5 * rng.standard_normal(image.shape)
    target = int(rng.integers(params["fc.weight"].shape[0]))
    window, stride = compact(rng, wh, ww), compact(rng, sh, sw)
    context = f"occlusion_attribution[{label}, target {target}, window={window}, stride={stride}, baseline {describe(baseline)}]"
    attribution = st.occlusion_attribution(params, image, target, window, stride=stride, baseline=baseline)

    captum_baseline = as_tensor(baseline)[None] if isinstance(baseline, np.ndarray) else baseline
    shapes = {"sliding_window_shapes": (channels, wh, ww), "strides": (channels, sh, sw)}
    occlusion = captum.attr.Occlusion(TorchCNN(params))
    expected = occlusion.attribute(as_tensor(image)[None], target=target, baselines=captum_baseline, perturbations_per_eval=MAX_WINDOWS, **shapes)
    # Captum returns float32 even for a float64 network: compare at a float32 tolerance
    assert_array("attribution", attribution, expected[0].double().numpy(), rtol=1e-5, atol=1e-6, context=context)


@suite.practice("q2", title="occlusion_attribution refuses what Captum refuses", draws=6)
def attribution_errors(st, rng: np.random.Generator) -> None:
    label, params, images = draw_network(rng, 1)
    image = images[0]
    height, width = image.shape[1:]
    wh, ww = int(rng.integers(1, height)), int(rng.integers(1, width))  # smaller than the image
    problems = [
        ("stride larger than the window", (wh, ww), (wh + int(rng.integers(1, 3)), 1), 0.0),
        ("stride larger than the window", (wh, ww), (1, ww + int(rng.integers(1, 3))), 0.0),
        ("window larger than the image", (height + 1, ww), 1, 0.0),
        ("window of size 0", (wh, 0), 1, 0.0),
        ("baseline of the wrong shape", (wh, ww), 1, np.zeros((image.shape[0], height, width + 1))),
        ("baseline of the wrong shape", (wh, ww), 1, np.zeros((image.shape[0] + 1, height, width))),
    ]
    what, window, stride, baseline = problems[int(rng.integers(len(problems)))]
    name = raised(st.occlusion_attribution, params, image, 0, window, stride=stride, baseline=baseline)
    context = f"occlusion_attribution[{label}, window={window}, stride={stride}, baseline {describe(baseline)}: {what}]"
    assert_value("the exception raised", name, "ValueError", context=context)


# ---------------------------------------------------------------- q3 saliency


@suite.practice("q3", title="saliency vs captum.attr.Saliency", compares_with="captum.attr.Saliency", draws=6, families=FAMILIES)
def saliency(st, rng: np.random.Generator, family: str) -> None:
    n = int(rng.integers(1, 5))
    label, params, images = draw_network(rng, n, family=family)
    # The data sets' pixels are quantized: tied maxima in a max pool would send the gradient to
    # a position that depends on rounding. A tiny perturbation keeps the draws clear of ties.
    images = images + 1e-3 * rng.standard_normal(images.shape)
    classes = params["fc.weight"].shape[0]
    style = int(rng.integers(3))
    if style == 0:
        targets = int(rng.integers(classes))  # one class for the whole batch
    elif style == 1:
        targets = [int(t) for t in rng.integers(classes, size=n)]
    else:
        targets = rng.integers(classes, size=n).astype(np.int64)
    shown = targets if isinstance(targets, int) else f"{type(targets).__name__} {[int(t) for t in targets]}"
    sal = st.saliency(params, images, targets)

    inputs = as_tensor(images).requires_grad_()
    target = targets if isinstance(targets, int) else torch.as_tensor(np.asarray(targets, dtype=np.int64))
    expected = captum.attr.Saliency(TorchCNN(params)).attribute(inputs, target=target, abs=True)
    assert_array("saliency", sal, expected.detach().numpy(), rtol=1e-11, atol=1e-12, context=f"saliency[{label}, targets {shown}]")


# ---------------------------------------------------------------- q4 activation_maps


@suite.practice("q4", title="activation_maps vs forward hooks on the torch ReLUs", compares_with="forward hooks (torch.nn.ReLU)", draws=6, families=FAMILIES)
def activation_maps(st, rng: np.random.Generator, family: str) -> None:
    label, params, images = draw_network(rng, int(rng.integers(1, 5)), family=family)
    layer = int(rng.integers(1, 4))
    maps = st.activation_maps(params, images, layer)
    assert_array("maps", maps, hooked(params, images, layer), context=f"activation_maps[{label}, layer {layer}]")


@suite.practice("q4", title="activation_maps refuses layers 0, 4, 5, 6", draws=3)
def activation_maps_errors(st, rng: np.random.Generator) -> None:
    label, params, images = draw_network(rng, 1)
    layer = int(rng.choice([0, 4, 5, 6]))
    name = raised(st.activation_maps, params, images, layer)
    assert_value("the exception raised", name, "ValueError", context=f"activation_maps[{label}, layer {layer}]")


# ---------------------------------------------------------------- q5, q6 dead filters and correlation


def draw_activations(rng: np.random.Generator) -> tuple[str, np.ndarray]:
    """Activations of a torch network over a batch (after or before the ReLU), or a synthetic
    array with planted channels: all zeros, all negative, negative but for one positive value,
    constant (1/3 among them), and exact linear copies of another channel."""
    if rng.random() < 0.5:
        label, params, images = draw_network(rng, int(rng.integers(2, 41)), rgb_share=0.2)
        layer, before = int(rng.integers(1, 4)), bool(rng.random() < 0.3)
        where = "before" if before else "after"
        return f"{label}, conv{layer} {where} the ReLU (from torch)", hooked(params, images, layer, before_relu=before)
    n, c, h, w = (int(v) for v in rng.integers(1, 6, size=4))
    c += 3
    acts = rng.standard_normal((n, c, h, w))
    planted = []
    for ch in rng.choice(c, size=int(rng.integers(1, c)), replace=False):
        ch = int(ch)
        kind = int(rng.integers(6))
        if kind == 0:
            acts[:, ch] = 0.0
        elif kind == 1:
            acts[:, ch] = -np.abs(acts[:, ch]) - 0.1
        elif kind == 2:
            acts[:, ch] = -np.abs(acts[:, ch]) - 0.1
            acts[int(rng.integers(n)), ch, int(rng.integers(h)), int(rng.integers(w))] = 0.01
        elif kind == 3:
            acts[:, ch] = float(rng.choice([1.0 / 3.0, 2.0, -0.7]))
        elif kind == 4:
            acts[:, ch] = 2.5 * acts[:, (ch + 1) % c] - 1.0
        else:
            acts[:, ch] = -0.5 * acts[:, (ch + 1) % c] + 3.0
        planted.append(f"{ch}:{['zeros', 'negative', 'one positive', 'constant', 'copy', 'negated copy'][kind]}")
    return f"synthetic ({n}, {c}, {h}, {w}), channels {' '.join(planted)}", acts


@suite.practice("q5", title="dead_filters vs torch.amax(...) <= 0", compares_with="torch.amax", draws=8)
def dead_filters(st, rng: np.random.Generator) -> None:
    label, acts = draw_activations(rng)
    dead = st.dead_filters(acts)
    if isinstance(dead, np.ndarray) and dead.dtype != np.bool_:
        raise CheckFailure(f"dead_filters[{label}]: dead has dtype {dead.dtype}, expected bool")
    expected = (torch.from_numpy(acts).amax(dim=(0, 2, 3)) <= 0).numpy()
    assert_array("dead", dead, expected, context=f"dead_filters[{label}]")


@suite.practice("q6", title="channel_correlation vs torch.corrcoef (constant channels zeroed)", compares_with="torch.corrcoef", draws=8)
def channel_correlation(st, rng: np.random.Generator) -> None:
    label, acts = draw_activations(rng)
    corr = st.channel_correlation(acts)
    vectors = torch.from_numpy(acts).transpose(0, 1).flatten(start_dim=1)  # (C, N*H*W)
    varies = vectors.amax(dim=1) > vectors.amin(dim=1)  # §6: constant means max equals min, exactly
    expected = torch.zeros(len(vectors), len(vectors), dtype=torch.float64)
    if bool(varies.any()):
        keep = torch.nonzero(varies).flatten()
        expected[keep[:, None], keep[None, :]] = torch.corrcoef(vectors[keep]).reshape(len(keep), len(keep))
    assert_array("corr", corr, expected.numpy(), context=f"channel_correlation[{label}]")


# ---------------------------------------------------------------- q7 filter_mosaic (property checks)


def draw_filters(rng: np.random.Generator, family: str) -> tuple[str, np.ndarray]:
    """A shipped network's conv1 filters, or random ones (grayscale, or RGB for ``family="rgb"``;
    some constant)."""
    if family == "gray" and rng.random() < 0.4:
        name = TRAINED[int(rng.integers(len(TRAINED)))]
        return f"{name} conv1", _trained(name)["conv1.weight"].copy()
    c_out, c_in, k = int(rng.integers(1, 21)), 3 if family == "rgb" else 1, int(rng.integers(1, 6))
    weights = rng.standard_normal((c_out, c_in, k, k)) * float(rng.choice([0.01, 1.0, 100.0]))
    constant = rng.choice(c_out, size=int(rng.integers(0, 3)) if c_out > 1 else 0, replace=False)
    weights[constant] = float(rng.standard_normal())
    return f"random ({c_out}, {c_in}, {k}, {k}), constant filters {sorted(int(f) for f in constant)}", weights


@suite.practice("q7", title="filter_mosaic: shape, white background, each tile its filter stretched to [0, 1]", draws=10, families=FAMILIES)
def filter_mosaic(st, rng: np.random.Generator, family: str) -> None:
    label, weights = draw_filters(rng, family)
    ncols, pad = int(rng.integers(1, 10)), int(rng.integers(0, 4))
    c_out, c_in, k, _ = weights.shape
    context = f"filter_mosaic[{label}, ncols={ncols}, pad={pad}]"
    mosaic = st.filter_mosaic(weights, ncols=ncols, pad=pad)
    grid_rows = -(-c_out // ncols)
    shape = (grid_rows * k + (grid_rows - 1) * pad, ncols * k + (ncols - 1) * pad) + ((3,) if c_in == 3 else ())
    if not isinstance(mosaic, np.ndarray):
        raise CheckFailure(f"{context}: mosaic is a {type(mosaic).__name__}, expected a numpy.ndarray")
    assert_value("the shape", tuple(mosaic.shape), shape, context=context)
    background = np.ones(shape[:2], dtype=bool)  # padding and unused cells: white (1.0)
    for f in range(len(weights)):
        top, left = (f // ncols) * (k + pad), (f % ncols) * (k + pad)
        background[top : top + k, left : left + k] = False
        tile = mosaic[top : top + k, left : left + k]
        as_drawn = np.moveaxis(weights[f], 0, -1) if c_in == 3 else weights[f, 0]  # RGB: channels last
        low, high = float(weights[f].min()), float(weights[f].max())
        where = f"{context}, filter {f} (row {f // ncols}, column {f % ncols})"
        if high > low:  # stretched to [0, 1] on its own: tile * (max - min) + min gives the filter back
            extremes = np.array([tile.min(), tile.max()])
            assert_array("the tile's [min, max] (each filter is stretched on its own)", extremes, np.array([0.0, 1.0]), context=where)
            assert_array("tile * (max - min) + min (it should give the filter back)", tile * (high - low) + low, as_drawn, context=where)
        else:
            assert_array("the tile of a constant filter", tile, np.full(as_drawn.shape, 0.5), context=where)
    assert_array("the background (padding and unused cells)", mosaic[background], np.ones((int(background.sum()), *shape[2:])), context=context)


@suite.practice("q7", title="filter_mosaic refuses C_in other than 1 or 3, ncols < 1, pad < 0", draws=4)
def filter_mosaic_errors(st, rng: np.random.Generator) -> None:
    problem = int(rng.integers(3))
    c_in = int(rng.choice([2, 4, 5])) if problem == 0 else int(rng.choice([1, 3]))
    weights = rng.standard_normal((int(rng.integers(1, 10)), c_in, 3, 3))
    ncols = -int(rng.integers(0, 3)) if problem == 1 else 4
    pad = -int(rng.integers(1, 3)) if problem == 2 else 1
    context = f"filter_mosaic[weights {weights.shape}, ncols={ncols}, pad={pad}]"
    assert_value("the exception raised", raised(st.filter_mosaic, weights, ncols=ncols, pad=pad), "ValueError", context=context)
