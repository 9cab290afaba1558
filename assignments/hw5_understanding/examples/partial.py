"""hw5 -- work in progress: the map, dead filters and the mosaic are done; the rest is to do."""

import numpy as np
from layers import softmax
from model import cnn_forward


def occlusion_probability_map(params, image, target, window, stride=1, fill=0.0):
    wh, ww = (window, window) if isinstance(window, int) else window
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    _, H, W = image.shape
    if wh > H or ww > W:
        raise ValueError("window too large")
    rows = range(0, H - wh + 1, sh)
    cols = range(0, W - ww + 1, sw)
    out = np.empty((len(rows), len(cols)))
    for i, r in enumerate(rows):
        for j, q in enumerate(cols):
            x = image.copy()
            x[:, r : r + wh, q : q + ww] = fill
            out[i, j] = softmax(cnn_forward(params, x[None])[0])[0, target]
    return out


def occlusion_attribution(params, image, target, window, stride=1, baseline=0.0):
    raise NotImplementedError


def saliency(params, images, targets):
    raise NotImplementedError


def activation_maps(params, images, layer):
    raise NotImplementedError


def dead_filters(activations):
    return activations.max(axis=(0, 2, 3)) <= 0


def channel_correlation(activations):
    raise NotImplementedError


def filter_mosaic(weights, ncols=8, pad=1):
    n, c, k, _ = weights.shape
    if c != 1:
        raise ValueError("grayscale only for now")
    rows = -(-n // ncols)
    out = np.ones((rows * (k + pad) - pad, ncols * (k + pad) - pad))
    for f in range(n):
        w = weights[f, 0]
        tile = (w - w.min()) / (w.max() - w.min()) if w.max() > w.min() else np.full_like(w, 0.5)
        r, q = divmod(f, ncols)
        out[r * (k + pad) : r * (k + pad) + k, q * (k + pad) : q * (k + pad) + k] = tile
    return out
