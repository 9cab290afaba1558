"""hw5 "Understanding CNNs": what has a trained CNN learned?

Occlusion (the probability map of the lecture, and Captum's occlusion attribution), saliency,
activation maps, dead filters, feature correlation and filter mosaics, on the small CNN of
``model.py`` (provided, with its trained weights).

Conventions:

- ``params`` is a dict of arrays, as ``model.load_model`` returns it; the network is run only
  through ``model.cnn_forward`` / ``model.cnn_backward`` (provided).
- ``image`` is one (C, H, W) array, ``images`` an (N, C, H, W) batch; targets are class
  indices (ints).
- ``window`` and ``stride`` are an int or an ``(h, w)`` pair (an int means the same for both).
- Every function takes float64 arrays, returns float64 arrays (``dead_filters``: bool), and
  never modifies its inputs.
"""

from __future__ import annotations

import numpy as np
from model import cnn_backward, cnn_forward, softmax  # noqa: F401 (provided: use them)


def _pair(value: int | tuple[int, int], name: str) -> tuple[int, int]:
    """Return ``value`` as an ``(h, w)`` pair of ints (an int means the same for both)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return int(value[0]), int(value[1])
    raise ValueError(f"{name} must be an int or an (h, w) pair, got {value!r}")


### BEGIN SOLUTION
BATCH = 256  # occluded images per forward pass: bounds the memory of the im2col buffers


def _logits(params: dict, images: np.ndarray) -> np.ndarray:
    """(N, K) logits of a batch, BATCH images per forward pass."""
    return np.concatenate([cnn_forward(params, images[i : i + BATCH])[0] for i in range(0, len(images), BATCH)])


def _check_window(image: np.ndarray, window, stride) -> tuple[tuple[int, int], tuple[int, int]]:
    if np.ndim(image) != 3:
        raise ValueError(f"image must be (C, H, W), got shape {np.shape(image)}")
    (wh, ww), (sh, sw) = _pair(window, "window"), _pair(stride, "stride")
    _, h, w = image.shape
    if not (1 <= wh <= h and 1 <= ww <= w):
        raise ValueError(f"window {(wh, ww)} must be at least 1 and fit in the image {(h, w)}")
    if sh < 1 or sw < 1:
        raise ValueError(f"stride {(sh, sw)} must be at least 1")
    return (wh, ww), (sh, sw)


def _check_captum_window(image: np.ndarray, window, stride) -> tuple[tuple[int, int], tuple[int, int]]:
    """_check_window, plus Captum's rule: no stride larger than the window (where it is smaller than the image)."""
    (wh, ww), (sh, sw) = _check_window(image, window, stride)
    for size, win, step in ((image.shape[1], wh, sh), (image.shape[2], ww, sw)):
        if win < size and step > win:
            raise ValueError(f"stride {step} is larger than the window {win}: some pixels would never be occluded")
    return (wh, ww), (sh, sw)


### END SOLUTION


def occlusion_probability_map(
    params: dict,
    image: np.ndarray,
    target: int,
    window: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    fill: float = 0.0,
) -> np.ndarray:
    """The lecture's occlusion experiment: the probability of ``target`` as a patch slides.

    Inputs:
    - params: the network's weights (``model.load_model``)
    - image: (C, H, W)
    - target: the class whose probability is recorded
    - window: (wh, ww) size of the patch (an int: square), 1 <= wh <= H, 1 <= ww <= W
    - stride: (sh, sw) step between two patch positions, >= 1
    - fill: the value the patch sets, in every channel

    Returns:
    - pmap: (n_h, n_w), n_h = (H - wh) // sh + 1 and n_w = (W - ww) // sw + 1 (the patch
      always lies inside the image), where pmap[i, j] = softmax(logits(occluded))[target] and
      occluded is image with [:, i*sh : i*sh + wh, j*sw : j*sw + ww] set to fill.

    Raises ValueError if the window does not fit in the image or a size is < 1.
    """
    ### BEGIN SOLUTION
    (wh, ww), (sh, sw) = _check_window(image, window, stride)
    _, h, w = image.shape
    n_h, n_w = (h - wh) // sh + 1, (w - ww) // sw + 1
    occluded = np.repeat(image[None].astype(np.float64), n_h * n_w, axis=0)
    for k in range(n_h * n_w):
        i, j = divmod(k, n_w)
        occluded[k, :, i * sh : i * sh + wh, j * sw : j * sw + ww] = fill
    return softmax(_logits(params, occluded))[:, target].reshape(n_h, n_w)
    ### END SOLUTION


def occlusion_attribution(
    params: dict,
    image: np.ndarray,
    target: int,
    window: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    baseline: float | np.ndarray = 0.0,
) -> np.ndarray:
    """Occlusion attribution, exactly as ``captum.attr.Occlusion`` on the target logit.

    Same as ``Occlusion(model).attribute(x[None], target=target, sliding_window_shapes=(C, wh, ww),
    strides=(C, sh, sw), baselines=baseline)[0]``, in float64.

    Inputs:
    - params, image (C, H, W), target: as ``occlusion_probability_map``
    - window: (wh, ww), 1 <= wh <= H, 1 <= ww <= W; stride: (sh, sw) >= 1
    - baseline: a scalar, or an array shaped like image: what an occluded pixel is set to

    Windows: along the rows, ceil((H - wh) / sh) + 1 windows start at rows 0, sh, 2*sh, ...;
    the last one may run past the border and is cropped there (not shifted back). Columns
    likewise. Each window covers all C channels.

    Returns:
    - attribution: (C, H, W), attribution[c, y, x] = the mean, over the windows that cover
      pixel (y, x), of logits(image)[target] - logits(occluded by that window)[target]
      (the same value in every channel)

    Raises ValueError if the window does not fit in the image, if a size is < 1, if the
    baseline is neither a scalar nor shaped like the image, or if, along a dimension where the
    window is smaller than the image, the stride is larger than the window (some pixels would
    be covered by no window; Captum refuses this too).
    """
    ### BEGIN SOLUTION
    (wh, ww), (sh, sw) = _check_captum_window(image, window, stride)
    c, h, w = image.shape
    if np.ndim(baseline) == 0:
        base = np.full(image.shape, float(baseline))
    elif np.shape(baseline) == image.shape:
        base = np.asarray(baseline, dtype=np.float64)
    else:
        raise ValueError(f"baseline must be a scalar or shaped like the image {image.shape}, got {np.shape(baseline)}")
    n_h, n_w = -(-(h - wh) // sh) + 1, -(-(w - ww) // sw) + 1  # ceil((D - w) / s) + 1
    occluded = np.repeat(image[None].astype(np.float64), n_h * n_w, axis=0)
    cover = np.zeros((n_h * n_w, h, w), dtype=bool)
    for k in range(n_h * n_w):
        i, j = divmod(k, n_w)
        rows, cols = slice(i * sh, i * sh + wh), slice(j * sw, j * sw + ww)  # slicing crops at the border
        occluded[k, :, rows, cols] = base[:, rows, cols]
        cover[k, rows, cols] = True
    reference = _logits(params, image[None])[0, target]
    drops = reference - _logits(params, occluded)[:, target]
    total = np.tensordot(drops, cover, axes=1)
    count = cover.sum(axis=0)
    return np.broadcast_to(total / count, (c, h, w)).copy()
    ### END SOLUTION


def saliency(params: dict, images: np.ndarray, targets) -> np.ndarray:
    """Saliency maps, as ``captum.attr.Saliency`` (abs=True): |d logit_target / d x|.

    Inputs:
    - params: the network's weights
    - images: (N, C, H, W)
    - targets: (N,) class indices (a list or an int array); an int means that class for every image

    Returns:
    - sal: (N, C, H, W), sal[n] = |gradient of logits[n, targets[n]] with respect to images[n]|,
      computed with ``cnn_forward`` / ``cnn_backward`` (dL/dlogits is one-hot)
    """
    ### BEGIN SOLUTION
    n = len(images)
    targets = np.broadcast_to(np.asarray(targets, dtype=np.int64), (n,))
    logits, _, cache = cnn_forward(params, images)
    dlogits = np.zeros_like(logits)
    dlogits[np.arange(n), targets] = 1.0
    dx, _ = cnn_backward(dlogits, cache)
    return np.abs(dx)
    ### END SOLUTION


def activation_maps(params: dict, images: np.ndarray, layer: int) -> np.ndarray:
    """The activation maps of one conv layer: its output after the ReLU (before pooling).

    Inputs:
    - params: the network's weights
    - images: (N, C, H, W)
    - layer: which conv layer, 1-based: 1, 2 or 3

    Returns:
    - maps: (N, C_layer, H_layer, W_layer), e.g. (N, 8, 25, 25) for layer 1 on 25x25 images

    Raises ValueError if layer is not one of the network's conv layers.
    """
    ### BEGIN SOLUTION
    layers = sum(1 for key in params if key.startswith("conv") and key.endswith(".weight"))
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 1 <= layer <= layers:
        raise ValueError(f"layer must be an int from 1 to {layers}, got {layer!r}")
    _, activations, _ = cnn_forward(params, images)
    return activations[f"relu{int(layer)}"]
    ### END SOLUTION


def dead_filters(activations: np.ndarray) -> np.ndarray:
    """Which channels are dead: never positive for any image at any position.

    Inputs:
    - activations: (N, C, H, W), e.g. ``activation_maps`` of a layer over many images

    Returns:
    - dead: (C,) bool, dead[c] = (max over n, y, x of activations[n, c, y, x]) <= 0
    """
    ### BEGIN SOLUTION
    axes = tuple(a for a in range(np.ndim(activations)) if a != 1)
    return np.max(activations, axis=axes) <= 0
    ### END SOLUTION


def channel_correlation(activations: np.ndarray) -> np.ndarray:
    """Pearson correlation between the channels of a layer, over all images and positions.

    Inputs:
    - activations: (N, C, H, W); channel c is the vector of its N*H*W values

    Returns:
    - corr: (C, C) float64. A constant channel (max == min exactly, e.g. a dead one) gets a
      row and a column of zeros, diagonal included; every other entry equals
      ``np.corrcoef`` of the two channels (so the other diagonal entries are 1).
    """
    ### BEGIN SOLUTION
    c = activations.shape[1]
    values = np.moveaxis(np.asarray(activations, dtype=np.float64), 1, 0).reshape(c, -1)
    live = values.max(axis=1) != values.min(axis=1)
    corr = np.zeros((c, c))
    if live.any():
        corr[np.ix_(live, live)] = np.atleast_2d(np.corrcoef(values[live]))
    return corr
    ### END SOLUTION


def filter_mosaic(weights: np.ndarray, ncols: int = 8, pad: int = 1) -> np.ndarray:
    """First-layer filters as one image: a grid of tiles, one per filter, row-major.

    Inputs:
    - weights: (C_out, C_in, k, k) with C_in = 1 (grayscale) or 3 (RGB)
    - ncols: tiles per row (>= 1); rows = ceil(C_out / ncols)
    - pad: pixels of 1.0 (white) between two tiles (>= 0); none around the border

    Returns:
    - mosaic: (rows*k + (rows - 1)*pad, ncols*k + (ncols - 1)*pad) for C_in = 1, with a
      trailing axis of 3 (RGB, channels last) for C_in = 3. Filter f sits in row f // ncols,
      column f % ncols, min-max normalized on its own: (w - min) / (max - min) over its
      C_in*k*k values, 0.5 everywhere if the filter is constant. Unused cells are 1.0.

    Raises ValueError if C_in is not 1 or 3, or if ncols < 1 or pad < 0.
    """
    ### BEGIN SOLUTION
    if np.ndim(weights) != 4 or weights.shape[1] not in (1, 3):
        raise ValueError(f"weights must be (C_out, 1 or 3, k, k), got shape {np.shape(weights)}")
    if ncols < 1 or pad < 0:
        raise ValueError(f"ncols must be >= 1 and pad >= 0, got ncols={ncols}, pad={pad}")
    c_out, c_in, kh, kw = weights.shape
    rows = -(-c_out // ncols)
    shape = (rows * kh + (rows - 1) * pad, ncols * kw + (ncols - 1) * pad)
    mosaic = np.ones(shape if c_in == 1 else (*shape, 3))
    for f in range(c_out):
        lo, hi = weights[f].min(), weights[f].max()
        tile = (weights[f] - lo) / (hi - lo) if hi > lo else np.full(weights[f].shape, 0.5)
        r, q = divmod(f, ncols)
        top, left = r * (kh + pad), q * (kw + pad)
        mosaic[top : top + kh, left : left + kw] = tile[0] if c_in == 1 else tile.transpose(1, 2, 0)
    return mosaic
    ### END SOLUTION
