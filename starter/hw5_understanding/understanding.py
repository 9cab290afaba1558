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
    raise NotImplementedError("occlusion_probability_map is not implemented yet")


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
    raise NotImplementedError("occlusion_attribution is not implemented yet")


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
    raise NotImplementedError("saliency is not implemented yet")


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
    raise NotImplementedError("activation_maps is not implemented yet")


def dead_filters(activations: np.ndarray) -> np.ndarray:
    """Which channels are dead: never positive for any image at any position.

    Inputs:
    - activations: (N, C, H, W), e.g. ``activation_maps`` of a layer over many images

    Returns:
    - dead: (C,) bool, dead[c] = (max over n, y, x of activations[n, c, y, x]) <= 0
    """
    raise NotImplementedError("dead_filters is not implemented yet")


def channel_correlation(activations: np.ndarray) -> np.ndarray:
    """Pearson correlation between the channels of a layer, over all images and positions.

    Inputs:
    - activations: (N, C, H, W); channel c is the vector of its N*H*W values

    Returns:
    - corr: (C, C) float64. A constant channel (max == min exactly, e.g. a dead one) gets a
      row and a column of zeros, diagonal included; every other entry equals
      ``np.corrcoef`` of the two channels (so the other diagonal entries are 1).
    """
    raise NotImplementedError("channel_correlation is not implemented yet")


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
    raise NotImplementedError("filter_mosaic is not implemented yet")
