# HW2 - what convolution does (vectorized with shifted slices)
# "flip and drag": I flip every kernel before sliding it, as the lecture's technicality says
import numpy as np

SOBEL_VERTICAL = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
SOBEL_HORIZONTAL = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=np.float64)


def conv_same(image, kernel):
    kernel = kernel[::-1, ::-1]  # convolution flips the kernel
    k = kernel.shape[0]
    p = k // 2
    padded = np.pad(np.asarray(image, dtype=np.float64), p)
    H, W = np.shape(image)
    out = np.zeros((H, W))
    for a in range(k):
        for b in range(k):
            out += kernel[a, b] * padded[a : a + H, b : b + W]
    return out


def edge_maps(image):
    return conv_same(image, SOBEL_HORIZONTAL), conv_same(image, SOBEL_VERTICAL)


def edge_magnitude(horizontal, vertical, norm="l2"):
    if norm == "l1":
        return np.abs(horizontal) + np.abs(vertical)
    elif norm == "l2":
        return np.hypot(horizontal, vertical)
    raise ValueError(f"unknown norm {norm}: use 'l1' or 'l2'")


def box_kernels(size=5):
    if size % 2 == 0 or size < 3:
        raise ValueError("size must be odd, >= 3")
    h = np.zeros((size, size))
    h[0], h[-1] = -1, 1
    v = np.zeros((size, size))
    v[:, 0], v[:, -1] = 1, -1
    return np.stack([h, v])[None]


def box_score(edges, size=5):
    k = box_kernels(size)[0]
    return conv_same(edges[0], k[0]) + conv_same(edges[1], k[1])


def find_boxes(image, size=5, threshold=0.9):
    score = box_score(np.stack(edge_maps(image)), size)
    cand = score >= threshold * (16 * size - 8)
    found = []
    for i, j in zip(*np.nonzero(cand), strict=True):
        r0, r1 = max(i - size + 1, 0), i + size
        c0, c1 = max(j - size + 1, 0), j + size
        best = True
        for q in zip(*np.nonzero(cand[r0:r1, c0:c1]), strict=True):
            qi, qj = q[0] + r0, q[1] + c0
            if score[qi, qj] > score[i, j] or (score[qi, qj] == score[i, j] and (qi, qj) < (i, j)):
                best = False
        if best:
            found.append((int(i), int(j)))
    return found


def linear_param_count(in_features, out_features, bias=True):
    return in_features * out_features + out_features * bias


def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    return int(in_channels * out_channels * np.prod(kernel_size)) + out_channels * bias


def mlp_param_count(layer_sizes, bias=True):
    return sum(linear_param_count(a, b, bias) for a, b in zip(layer_sizes, layer_sizes[1:], strict=False))


def _hw(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def cnn_output_shape(input_shape, conv_layers):
    c, h, w = input_shape
    for f, k, s, p in conv_layers:
        (kh, kw), (sh, sw), (ph, pw) = _hw(k), _hw(s), _hw(p)
        h, w, c = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1, f
        if min(h, w) < 1:
            raise ValueError("empty output")
    return (c, h, w)


def cnn_param_count(input_shape, conv_layers, num_outputs, bias=True):
    total, c = 0, input_shape[0]
    for f, k, _s, _p in conv_layers:
        total += conv_param_count(c, f, _hw(k), bias)
        c = f
    return total + linear_param_count(int(np.prod(cnn_output_shape(input_shape, conv_layers))), num_outputs, bias)
