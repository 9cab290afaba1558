"""hw2 submission, half done: the image functions are not written yet.

The parameter counts are written, but cnn_param_count hands a conv layer's int kernel_size k to
conv_param_count unchanged: there an int means a 1D kernel of k taps, not a k x k one.
"""

import numpy as np

SOBEL_VERTICAL = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
SOBEL_HORIZONTAL = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=np.float64)


def edge_maps(image):
    raise NotImplementedError("edge_maps is not implemented yet")


def edge_magnitude(horizontal, vertical, norm="l2"):
    raise NotImplementedError("edge_magnitude is not implemented yet")


def box_kernels(size=5):
    raise NotImplementedError("box_kernels is not implemented yet")


def box_score(edges, size=5):
    raise NotImplementedError("box_score is not implemented yet")


def find_boxes(image, size=5, threshold=0.9):
    raise NotImplementedError("find_boxes is not implemented yet")


def linear_param_count(in_features, out_features, bias=True):
    return in_features * out_features + out_features if bias else in_features * out_features


def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    taps = int(np.prod(np.atleast_1d(kernel_size)))
    return in_channels * out_channels * taps + (out_channels if bias else 0)


def mlp_param_count(layer_sizes, bias=True):
    return sum(linear_param_count(n_in, n_out, bias) for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))


def cnn_output_shape(input_shape, conv_layers):
    c, h, w = input_shape
    for out_channels, k, s, p in conv_layers:
        k, s, p = (np.broadcast_to(v, 2) for v in (k, s, p))
        h, w = (h + 2 * p[0] - k[0]) // s[0] + 1, (w + 2 * p[1] - k[1]) // s[1] + 1
        if h < 1 or w < 1:
            raise ValueError("the feature map would be empty")
        c = out_channels
    return (int(c), int(h), int(w))


def cnn_param_count(input_shape, conv_layers, num_outputs, bias=True):
    total, c = 0, input_shape[0]
    for out_channels, k, _s, _p in conv_layers:
        total += conv_param_count(c, out_channels, k if isinstance(k, int) else tuple(k), bias)
        c = out_channels
    c, h, w = cnn_output_shape(input_shape, conv_layers)
    return total + linear_param_count(c * h * w, num_outputs, bias)
