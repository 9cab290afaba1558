"""hw2 submission, correct, in the NumPy way: NumPy integers wherever the contract says int.

Written by a student who vectorizes everything: counts and shapes come out of NumPy arithmetic
as np.int64, find_boxes returns np.nonzero's np.int64 indices in tuples, the threshold test is
written as ``score / ideal >= threshold``, and errors are a ValueError subclass of its own.
All of this is within the contract ("Python int or NumPy integer"; "raises ValueError").
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

SOBEL_VERTICAL = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
SOBEL_HORIZONTAL = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=np.float64)


class ContractError(ValueError):
    """A bad argument: still a ValueError, as the handout asks."""


def load_photo():
    import matplotlib.cbook
    import matplotlib.image

    rgb = matplotlib.image.imread(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    return (0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]) / 255.0


def _correlate(image, kernel):
    k = kernel.shape[0]
    windows = sliding_window_view(np.pad(np.asarray(image, dtype=np.float64), k // 2), (k, k))
    return np.tensordot(windows, kernel, axes=([2, 3], [0, 1]))


def edge_maps(image):
    return _correlate(image, SOBEL_HORIZONTAL), _correlate(image, SOBEL_VERTICAL)


def edge_magnitude(horizontal, vertical, norm="l2"):
    orders = {"l1": 1, "l2": 2}
    if not isinstance(norm, str) or norm not in orders:
        raise ContractError(f"unknown norm {norm!r}: use 'l1' or 'l2'")
    return np.linalg.norm(np.stack([horizontal, vertical]), ord=orders[norm], axis=0)


def box_kernels(size=5):
    if not (size >= 3 and size % 2 == 1):
        raise ContractError(f"box size {size!r} is not an odd number >= 3")
    ramp = np.zeros(size)
    ramp[0], ramp[-1] = -1.0, 1.0
    h = np.outer(ramp, np.ones(size))  # rows -1 ... +1
    return np.stack([h, -h.T])[None]  # columns +1 ... -1


def box_score(edges, size=5):
    k = box_kernels(size)[0]
    return _correlate(edges[0], k[0]) + _correlate(edges[1], k[1])


def find_boxes(image, size=5, threshold=0.9):
    score = box_score(np.stack(edge_maps(image)), size)
    ideal = 16 * size - 8
    rows, cols = np.nonzero(score / ideal >= threshold)  # np.int64 indices, row-major
    values = score[rows, cols]
    near = np.maximum(np.abs(rows[:, None] - rows), np.abs(cols[:, None] - cols)) < size
    earlier = np.arange(len(rows))[:, None] < np.arange(len(rows))  # row-major order of nonzero
    beats = (values[:, None] > values) | ((values[:, None] == values) & earlier)
    kept = ~np.any(near & beats, axis=0)
    return list(zip(rows[kept], cols[kept], strict=True))


def linear_param_count(in_features, out_features, bias=True):
    return np.int64(in_features) * out_features + (out_features if bias else 0)


def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    taps = np.prod(np.atleast_1d(kernel_size), dtype=np.int64)
    return out_channels * in_channels * taps + (out_channels if bias else 0)


def mlp_param_count(layer_sizes, bias=True):
    sizes = np.asarray(layer_sizes, dtype=np.int64)
    return np.sum(sizes[:-1] * sizes[1:]) + (np.sum(sizes[1:]) if bias else 0)


def cnn_output_shape(input_shape, conv_layers):
    shape = np.asarray(input_shape, dtype=np.int64)
    for out_channels, kernel_size, stride, padding in conv_layers:
        k, s, p = (np.broadcast_to(np.asarray(v, dtype=np.int64), (2,)) for v in (kernel_size, stride, padding))
        hw = (shape[1:] + 2 * p - k) // s + 1
        if np.any(hw < 1):
            raise ContractError(f"layer {(out_channels, kernel_size, stride, padding)} has an empty output {tuple(hw)}")
        shape = np.concatenate([[out_channels], hw])
    return tuple(shape)


def cnn_param_count(input_shape, conv_layers, num_outputs, bias=True):
    c_out, h_out, w_out = cnn_output_shape(input_shape, conv_layers)
    total, channels = 0, input_shape[0]
    for out_channels, kernel_size, _stride, _padding in conv_layers:
        total += conv_param_count(channels, out_channels, np.broadcast_to(kernel_size, (2,)), bias)
        channels = out_channels
    return total + linear_param_count(c_out * h_out * w_out, num_outputs, bias)
