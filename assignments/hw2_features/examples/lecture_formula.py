"""hw2 submission that follows the lecture's slide for the CNN count.

Everything is right except cnn_param_count, which copies the slide's formula
((3*3*1*3) + (9*(3*3*3*3)) + (19*38*138)): no biases in the conv layers, and the fully connected
layer sized from the first conv layer's output (19 x 38), one channel.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

SOBEL_VERTICAL = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
SOBEL_HORIZONTAL = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=np.float64)


def _xcorr(x, k):
    p = k.shape[-1] // 2
    win = sliding_window_view(np.pad(np.asarray(x, dtype=np.float64), p), k.shape)
    return (win * k).sum(axis=(-2, -1))


def edge_maps(image):
    return _xcorr(image, SOBEL_HORIZONTAL), _xcorr(image, SOBEL_VERTICAL)


def edge_magnitude(horizontal, vertical, norm="l2"):
    if norm not in {"l1", "l2"}:
        raise ValueError("norm must be 'l1' or 'l2'")
    if norm == "l1":
        return abs(horizontal) + abs(vertical)
    return (horizontal**2 + vertical**2) ** 0.5


def box_kernels(size=5):
    if not (size >= 3 and size % 2):
        raise ValueError("size: odd int >= 3")
    k = np.zeros((1, 2, size, size))
    k[0, 0, 0], k[0, 0, -1] = -1, 1
    k[0, 1, :, 0], k[0, 1, :, -1] = 1, -1
    return k


def box_score(edges, size=5):
    k = box_kernels(size)[0]
    return _xcorr(edges[0], k[0]) + _xcorr(edges[1], k[1])


def find_boxes(image, size=5, threshold=0.9):
    s = box_score(np.stack(edge_maps(image)), size)
    cands = [(s[i, j], i, j) for i, j in zip(*np.nonzero(s >= threshold * (16 * size - 8)), strict=True)]
    keep = []
    for sc, i, j in cands:
        if all(not (abs(i - a) < size and abs(j - b) < size and (t > sc or (t == sc and (a, b) < (i, j)))) for t, a, b in cands):
            keep.append((int(i), int(j)))
    return sorted(keep)


def linear_param_count(in_features, out_features, bias=True):
    return in_features * out_features + (out_features if bias else 0)


def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    ks = [kernel_size] if isinstance(kernel_size, int) else list(kernel_size)
    return out_channels * in_channels * int(np.prod(ks)) + (out_channels if bias else 0)


def mlp_param_count(layer_sizes, bias=True):
    return sum(linear_param_count(a, b, bias) for a, b in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))


def _two(v):
    return (v, v) if isinstance(v, int) else (v[0], v[1])


def cnn_output_shape(input_shape, conv_layers):
    c, h, w = input_shape
    for f, k, s, p in conv_layers:
        (kh, kw), (sh, sw), (ph, pw) = _two(k), _two(s), _two(p)
        h, w, c = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1, f
        if h < 1 or w < 1:
            raise ValueError("empty feature map")
    return (c, h, w)


def cnn_param_count(input_shape, conv_layers, num_outputs, bias=True):
    # the slide: (3*3*1*3) + (9*(3*3*3*3)) + (19*38*138)
    total, c = 0, input_shape[0]
    for f, k, _s, _p in conv_layers:
        total += conv_param_count(c, f, _two(k), bias=False)
        c = f
    _, h1, w1 = cnn_output_shape(input_shape, conv_layers[:1])
    return total + h1 * w1 * num_outputs
