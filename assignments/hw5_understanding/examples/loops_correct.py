"""hw5 submission: everything with plain Python loops (one forward pass per patch position).

Slow but straightforward: each occluded image goes through the network on its own, exactly
as the handout's definitions are written, and the correlations are computed from their
formula rather than with np.corrcoef.
"""

import math

import numpy as np
from model import cnn_backward, cnn_forward


def _hw(v):
    # window / stride: an int or an (h, w) pair
    if isinstance(v, (tuple, list)):
        return int(v[0]), int(v[1])
    return int(v), int(v)


def _target_logit(params, image, target):
    logits, _, _ = cnn_forward(params, image[None])
    return logits[0, target]


def _probability(params, image, target):
    logits, _, _ = cnn_forward(params, image[None])
    z = logits[0] - np.max(logits[0])
    return math.exp(z[target]) / np.sum(np.exp(z))


def occlusion_probability_map(params, image, target, window, stride=1, fill=0.0):
    wh, ww = _hw(window)
    sh, sw = _hw(stride)
    C, H, W = image.shape
    if wh < 1 or ww < 1 or wh > H or ww > W or sh < 1 or sw < 1:
        raise ValueError("bad window or stride")
    n_h = (H - wh) // sh + 1
    n_w = (W - ww) // sw + 1
    out = np.zeros((n_h, n_w))
    for i in range(n_h):
        for j in range(n_w):
            patched = image.copy()
            for c in range(C):
                for y in range(i * sh, i * sh + wh):
                    for x in range(j * sw, j * sw + ww):
                        patched[c, y, x] = fill
            out[i, j] = _probability(params, patched, target)
    return out


def occlusion_attribution(params, image, target, window, stride=1, baseline=0.0):
    wh, ww = _hw(window)
    sh, sw = _hw(stride)
    C, H, W = image.shape
    if wh < 1 or ww < 1 or wh > H or ww > W or sh < 1 or sw < 1:
        raise ValueError("bad window or stride")
    if (wh < H and sh > wh) or (ww < W and sw > ww):
        raise ValueError("stride larger than the window")
    base = np.zeros(image.shape) + baseline  # a scalar or an array shaped like the image
    if base.shape != image.shape:
        raise ValueError("baseline has the wrong shape")
    n_h = math.ceil((H - wh) / sh) + 1
    n_w = math.ceil((W - ww) / sw) + 1
    full = _target_logit(params, image, target)
    sums = np.zeros((H, W))
    counts = np.zeros((H, W))
    for i in range(n_h):
        for j in range(n_w):
            patched = image.copy()
            covered = []
            for y in range(i * sh, min(i * sh + wh, H)):
                for x in range(j * sw, min(j * sw + ww, W)):
                    covered.append((y, x))
                    for c in range(C):
                        patched[c, y, x] = base[c, y, x]
            drop = full - _target_logit(params, patched, target)
            for y, x in covered:
                sums[y, x] += drop
                counts[y, x] += 1
    out = np.zeros((C, H, W))
    for c in range(C):
        out[c] = sums / counts
    return out


def saliency(params, images, targets):
    N = images.shape[0]
    if np.ndim(targets) == 0:
        targets = [int(targets)] * N
    logits, _, cache = cnn_forward(params, images)
    grad_logits = np.zeros(logits.shape)
    for n in range(N):
        grad_logits[n, int(targets[n])] = 1.0
    dx, _ = cnn_backward(grad_logits, cache)
    return np.abs(dx)


def activation_maps(params, images, layer):
    if layer not in (1, 2, 3):
        raise ValueError("layer must be 1, 2 or 3")
    _, acts, _ = cnn_forward(params, images)
    return acts["relu" + str(layer)]


def dead_filters(activations):
    C = activations.shape[1]
    dead = np.zeros(C, dtype=bool)
    for c in range(C):
        dead[c] = activations[:, c].max() <= 0
    return dead


def channel_correlation(activations):
    C = activations.shape[1]
    vectors = [activations[:, c].ravel() for c in range(C)]
    out = np.zeros((C, C))
    for a in range(C):
        for b in range(C):
            u, v = vectors[a], vectors[b]
            if u.max() == u.min() or v.max() == v.min():
                continue  # a constant channel: zeros
            du, dv = u - u.mean(), v - v.mean()
            out[a, b] = np.sum(du * dv) / math.sqrt(np.sum(du * du) * np.sum(dv * dv))
    return out


def filter_mosaic(weights, ncols=8, pad=1):
    F, C, k, _ = weights.shape
    if C not in (1, 3):
        raise ValueError("only grayscale or RGB filters")
    if ncols < 1 or pad < 0:
        raise ValueError("ncols must be at least 1 and pad at least 0")
    rows = (F + ncols - 1) // ncols
    height = rows * k + (rows - 1) * pad
    width = ncols * k + (ncols - 1) * pad
    out = np.ones((height, width, C))
    for f in range(F):
        w = weights[f]
        low, high = w.min(), w.max()
        top = (f // ncols) * (k + pad)
        left = (f % ncols) * (k + pad)
        for c in range(C):
            for y in range(k):
                for x in range(k):
                    value = 0.5 if high == low else (w[c, y, x] - low) / (high - low)
                    out[top + y, left + x, c] = value
    if C == 1:
        return out[:, :, 0]
    return out
