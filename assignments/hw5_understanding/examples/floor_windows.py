"""hw5 submission: occlusion written like a convolution (floor window count, no cropping).

A realistic mix-up: the attribution reuses the probability map's positions, (D - w) // s + 1
windows that fit inside the image, and normalizes by the largest coverage; the saliency is
the signed gradient; the correlation trusts np.corrcoef.
"""

import numpy as np
from layers import softmax
from model import cnn_backward, cnn_forward


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _occluded(image, window, stride, value):
    (wh, ww), (sh, sw) = _pair(window), _pair(stride)
    _, H, W = image.shape
    if wh > H or ww > W:
        raise ValueError("window larger than the image")
    boxes, batch = [], []
    for r in range(0, H - wh + 1, sh):
        for q in range(0, W - ww + 1, sw):
            x = image.copy()
            x[:, r : r + wh, q : q + ww] = value if np.ndim(value) == 0 else value[:, r : r + wh, q : q + ww]
            boxes.append((r, q))
            batch.append(x)
    return boxes, np.array(batch)


def occlusion_probability_map(params, image, target, window, stride=1, fill=0.0):
    (wh, ww), (sh, sw) = _pair(window), _pair(stride)
    _, H, W = image.shape
    boxes, batch = _occluded(image, window, stride, fill)
    probs = softmax(cnn_forward(params, batch)[0])[:, target]
    return probs.reshape((H - wh) // sh + 1, (W - ww) // sw + 1)


def occlusion_attribution(params, image, target, window, stride=1, baseline=0.0):
    (wh, ww), _ = _pair(window), _pair(stride)
    boxes, batch = _occluded(image, window, stride, baseline)
    drops = cnn_forward(params, image[None])[0][0, target] - cnn_forward(params, batch)[0][:, target]
    total = np.zeros(image.shape[1:])
    count = np.zeros(image.shape[1:])
    for (r, q), d in zip(boxes, drops, strict=True):
        total[r : r + wh, q : q + ww] += d
        count[r : r + wh, q : q + ww] += 1
    return np.broadcast_to(total / count.max(), image.shape).copy()


def saliency(params, images, targets):
    logits, _, cache = cnn_forward(params, images)
    onehot = np.zeros_like(logits)
    onehot[np.arange(len(images)), targets] = 1.0
    return cnn_backward(onehot, cache)[0]


def activation_maps(params, images, layer):
    if layer not in (1, 2, 3):
        raise ValueError("no such layer")
    return cnn_forward(params, images)[1][f"relu{layer}"]


def dead_filters(activations):
    return activations.max(axis=(0, 2, 3)) <= 0


def channel_correlation(activations):
    c = activations.shape[1]
    return np.corrcoef(activations.transpose(1, 0, 2, 3).reshape(c, -1))


def filter_mosaic(weights, ncols=8, pad=1):
    n, c, k, _ = weights.shape
    if c not in (1, 3):
        raise ValueError("C_in must be 1 or 3")
    rows = -(-n // ncols)
    out = np.ones((rows * (k + pad) - pad, ncols * (k + pad) - pad, c))
    for f in range(n):
        w = weights[f]
        tile = (w - w.min()) / (w.max() - w.min()) if w.max() > w.min() else np.full_like(w, 0.5)
        r, q = divmod(f, ncols)
        out[r * (k + pad) : r * (k + pad) + k, q * (k + pad) : q * (k + pad) + k] = tile.transpose(1, 2, 0)
    return out[..., 0] if c == 1 else out
