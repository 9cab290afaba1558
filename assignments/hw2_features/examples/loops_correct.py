"""hw2 submission: every function with plain Python loops, straight from the handout's formulas.

Slow but straightforward: each output value is computed by its own loop iteration.
"""

import numpy as np

SOBEL_VERTICAL = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
SOBEL_HORIZONTAL = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=np.float64)


def load_photo():
    import matplotlib.cbook
    import matplotlib.image

    rgb = matplotlib.image.imread(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    return (0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]) / 255.0


def correlate_same(image, kernel):
    """Cross-correlation with zero padding k // 2 (k odd): the output has the image's shape."""
    H, W = image.shape
    k = kernel.shape[0]
    p = k // 2
    out = np.zeros((H, W))
    for i in range(H):
        for j in range(W):
            total = 0.0
            for a in range(k):
                for b in range(k):
                    r, c = i + a - p, j + b - p
                    if 0 <= r < H and 0 <= c < W:  # outside the image: a padding zero
                        total += float(image[r, c]) * kernel[a, b]
            out[i, j] = total
    return out


def edge_maps(image):
    return correlate_same(image, SOBEL_HORIZONTAL), correlate_same(image, SOBEL_VERTICAL)


def edge_magnitude(horizontal, vertical, norm="l2"):
    if norm not in ("l1", "l2"):
        raise ValueError("norm should be one of: l1, l2")
    out = np.zeros(horizontal.shape)
    for i in range(horizontal.shape[0]):
        for j in range(horizontal.shape[1]):
            h, v = horizontal[i, j], vertical[i, j]
            out[i, j] = abs(h) + abs(v) if norm == "l1" else (h * h + v * v) ** 0.5
    return out


def box_kernels(size=5):
    if size < 3 or size % 2 != 1:
        raise ValueError("size must be odd and at least 3")
    k = np.zeros((1, 2, size, size))
    for t in range(size):
        k[0, 0, 0, t] = -1
        k[0, 0, size - 1, t] = 1
        k[0, 1, t, 0] = 1
        k[0, 1, t, size - 1] = -1
    return k


def box_score(edges, size=5):
    k = box_kernels(size)
    return correlate_same(edges[0], k[0, 0]) + correlate_same(edges[1], k[0, 1])


def find_boxes(image, size=5, threshold=0.9):
    image = np.array(image, dtype=float)
    h, v = edge_maps(image)
    score = box_score(np.array([h, v]), size)
    ideal = 16 * size - 8
    candidates = []
    for i in range(score.shape[0]):
        for j in range(score.shape[1]):
            if score[i, j] >= threshold * ideal:
                candidates.append((i, j))
    kept = []
    for p in candidates:
        beaten = False
        for q in candidates:
            if q == p or abs(q[0] - p[0]) >= size or abs(q[1] - p[1]) >= size:
                continue
            if score[q] > score[p] or (score[q] == score[p] and q < p):
                beaten = True
                break
        if not beaten:
            kept.append(p)
    return sorted(kept)


def linear_param_count(in_features, out_features, bias=True):
    n = in_features * out_features
    if bias:
        n += out_features
    return n


def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size,)
    taps = 1
    for k in kernel_size:
        taps = taps * k
    n = in_channels * out_channels * taps
    if bias:
        n += out_channels
    return n


def mlp_param_count(layer_sizes, bias=True):
    n = 0
    for i in range(len(layer_sizes) - 1):
        n += linear_param_count(layer_sizes[i], layer_sizes[i + 1], bias)
    return n


def as_hw(v):
    if isinstance(v, int):
        return v, v
    return v[0], v[1]


def cnn_output_shape(input_shape, conv_layers):
    c, h, w = input_shape
    for out_channels, kernel_size, stride, padding in conv_layers:
        kh, kw = as_hw(kernel_size)
        sh, sw = as_hw(stride)
        ph, pw = as_hw(padding)
        h = (h + 2 * ph - kh) // sh + 1
        w = (w + 2 * pw - kw) // sw + 1
        if h <= 0 or w <= 0:
            raise ValueError("a conv layer has an empty output")
        c = out_channels
    return (c, h, w)


def cnn_param_count(input_shape, conv_layers, num_outputs, bias=True):
    n = 0
    channels = input_shape[0]
    for out_channels, kernel_size, _stride, _padding in conv_layers:
        n += conv_param_count(channels, out_channels, as_hw(kernel_size), bias)
        channels = out_channels
    c, h, w = cnn_output_shape(input_shape, conv_layers)
    return n + linear_param_count(c * h * w, num_outputs, bias)
