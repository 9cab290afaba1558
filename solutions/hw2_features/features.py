"""hw2 "What convolution does": edges, a box detector and parameter counts, in NumPy.

Conventions (the same as ``torch.nn.functional.conv2d``):

- "Convolution" means **cross-correlation** (no kernel flip), as in every deep-learning
  library: out[i, j] = sum_{a, b} x_pad[i + a, j + b] * kernel[a, b].
- Images are 2D arrays (H, W) indexed [row, column]; row 0 is the top of the image.
- Padding is zeros, added on *all* sides; with a k x k kernel (k odd) and padding k // 2
  the output has the shape of the input ("same" convolution).
- Every array function returns float64 arrays and never modifies its inputs.
- Layer sizes use PyTorch's conventions: nn.Linear(in, out) has an (out, in) weight and an
  (out,) bias; nn.ConvNd(c_in, c_out, k) has a (c_out, c_in, *k) weight and a (c_out,) bias.
- Output size of a convolution along one dimension (stride s, padding p, kernel k):
  ``out = floor((n + 2*p - k) / s) + 1``
"""

from __future__ import annotations

import numpy as np
### BEGIN SOLUTION
from numpy.lib.stride_tricks import sliding_window_view
### END SOLUTION

# The lecture's Sobel kernels (provided, not graded). Used with cross-correlation:
# SOBEL_VERTICAL responds to *vertical* edges (a change from left to right): right minus left.
SOBEL_VERTICAL = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
# SOBEL_HORIZONTAL responds to *horizontal* edges (a change from top to bottom): top minus bottom.
SOBEL_HORIZONTAL = np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=np.float64)


def load_photo() -> np.ndarray:
    """A real grayscale photo: Grace Hopper, from Matplotlib's sample data (provided, not graded).

    The RGB photo is converted with the ITU-R BT.601 luma weights:
    gray = 0.299 * R + 0.587 * G + 0.114 * B, on values scaled to [0, 1].

    Returns:
    - image: (600, 512) float64 array with values in [0, 1] (0 = black, 1 = white)

    Needs Matplotlib (imported here, only when you call this function). No download: the
    photo ships with Matplotlib.
    """
    import matplotlib.cbook
    import matplotlib.image

    path = matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    rgb = np.asarray(matplotlib.image.imread(path))
    if rgb.dtype.kind in "ui":  # 8-bit channels: scale to [0, 1]
        rgb = rgb / np.iinfo(rgb.dtype).max
    gray = rgb[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    return np.clip(gray, 0.0, 1.0)
### BEGIN SOLUTION


def _same_correlate(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Cross-correlate ``image`` (H, W) with a (k, k) kernel, k odd, zero padding k // 2 -> (H, W)."""
    p = kernel.shape[0] // 2
    padded = np.pad(np.asarray(image, dtype=np.float64), p)
    windows = sliding_window_view(padded, kernel.shape)  # (H, W, k, k)
    return np.einsum("ijab,ab->ij", windows, kernel)
### END SOLUTION


def edge_maps(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical edge maps of a grayscale image (Sobel, zero padding 1).

    Inputs:
    - image: (H, W) array of real numbers (any real dtype; computed in float64)

    Returns a tuple of:
    - horizontal: (H, W) float64, the cross-correlation with SOBEL_HORIZONTAL
    - vertical: (H, W) float64, the cross-correlation with SOBEL_VERTICAL
      where, for a kernel K, out[i, j] = sum_{a, b in 0..2} x_pad[i + a, j + b] * K[a, b]
      and x_pad is the image with one row/column of zeros on every side.
      (the same as F.conv2d(image[None, None], K[None, None], padding=1)[0, 0])

    Signs: horizontal > 0 where the image is brighter above than below,
    vertical > 0 where it is brighter on the right than on the left.
    """
    ### BEGIN SOLUTION
    return _same_correlate(image, SOBEL_HORIZONTAL), _same_correlate(image, SOBEL_VERTICAL)
    ### END SOLUTION


def edge_magnitude(horizontal: np.ndarray, vertical: np.ndarray, norm: str = "l2") -> np.ndarray:
    """Combine the two edge maps into one map of edge strength ("all edges").

    Inputs:
    - horizontal: (H, W) float64, from edge_maps
    - vertical: (H, W) float64, from edge_maps
    - norm: "l1" or "l2" (exactly these strings)

    Returns:
    - magnitude: (H, W) float64 where
      "l1": magnitude = |horizontal| + |vertical|
      "l2": magnitude = sqrt(horizontal**2 + vertical**2)

    Raises ValueError for any other norm; its message names the allowed values "l1", "l2".
    """
    ### BEGIN SOLUTION
    if norm == "l1":
        return np.abs(horizontal) + np.abs(vertical)
    if norm == "l2":
        return np.sqrt(np.square(horizontal) + np.square(vertical))
    raise ValueError(f"norm must be 'l1' or 'l2', got {norm!r}")
    ### END SOLUTION


def box_kernels(size: int = 5) -> np.ndarray:
    """The two kernels of the lecture's box detector, stacked as one conv2d weight.

    Inputs:
    - size: the side of the boxes to find, an odd int >= 3

    Returns:
    - kernels: (1, 2, size, size) float64, one output channel with two input channels:
      kernels[0, 0] (for the H channel): first row -1, last row +1, zeros in between
      kernels[0, 1] (for the V channel): first column +1, last column -1, zeros in between

    Raises ValueError if size is not an odd int >= 3.
    """
    ### BEGIN SOLUTION
    if size < 3 or size % 2 == 0:
        raise ValueError(f"size must be an odd int >= 3, got {size!r}")
    kernels = np.zeros((1, 2, size, size))
    kernels[0, 0, 0, :], kernels[0, 0, -1, :] = -1.0, 1.0
    kernels[0, 1, :, 0], kernels[0, 1, :, -1] = 1.0, -1.0
    return kernels
    ### END SOLUTION


def box_score(edges: np.ndarray, size: int = 5) -> np.ndarray:
    """Box score map: one 2-channel convolution of the stacked edge maps with box_kernels(size).

    Inputs:
    - edges: (2, H, W), edges[0] = horizontal and edges[1] = vertical edge map
    - size: an odd int >= 3 (as box_kernels)

    Returns:
    - score: (H, W) float64 where, with K = box_kernels(size) and p = size // 2,
      score[i, j] = sum_{c in 0..1, a, b in 0..size-1} e_pad[c, i + a, j + b] * K[0, c, a, b]
      and e_pad is edges with p zeros on every side of each channel
      (the same as F.conv2d(edges[None], K, padding=size // 2)[0, 0])
    """
    ### BEGIN SOLUTION
    kernels = box_kernels(size)[0]
    edges = np.asarray(edges, dtype=np.float64)
    return _same_correlate(edges[0], kernels[0]) + _same_correlate(edges[1], kernels[1])
    ### END SOLUTION


def find_boxes(image: np.ndarray, size: int = 5, threshold: float = 0.9) -> list[tuple[int, int]]:
    """Find the centers of the solid size x size boxes of a binary image.

    Inputs:
    - image: (H, W) binary image, 1 = object, 0 = background (float, int or bool dtype)
    - size: the side of the boxes, an odd int >= 3
    - threshold: a float > 0, a fraction of the ideal score

    Returns:
    - centers: a list of (row, col) tuples of ints (Python int or NumPy integer; not floats,
      not 0-d arrays), sorted (by row, then column), where:
      1. score = box_score(stack(edge_maps(image)), size), an (H, W) map;
      2. ideal = 16 * size - 8 (72 for size 5): the score at the center of a lone
         size x size box of ones on a zero background;
      3. candidates = the positions (i, j) with score[i, j] >= threshold * ideal;
      4. non-maximum suppression: a candidate p is kept unless another candidate q with
         max(|q_row - p_row|, |q_col - p_col|) < size has score[q] > score[p], or has
         score[q] == score[p] and comes first in row-major order (q_row, q_col) < (p_row, p_col).
         (Only candidates compete, and a suppressed candidate still suppresses its neighbours:
         this is not greedy NMS.)
    An image without boxes gives [].
    """
    ### BEGIN SOLUTION
    image = np.asarray(image, dtype=np.float64)
    score = box_score(np.stack(edge_maps(image)), size)
    candidate = score >= threshold * (16 * size - 8)
    # rank[i, j]: the position of (i, j) when candidates are sorted by score, ties row-major
    order = np.lexsort((np.arange(score.size), -score.ravel()))
    rank = np.empty(score.size, dtype=np.int64)
    rank[order] = np.arange(score.size)
    rank = np.where(candidate.ravel(), rank, score.size).reshape(score.shape)
    # a candidate is kept if it has the best (smallest) rank among candidates within size - 1
    r = size - 1
    padded = np.pad(rank, r, constant_values=score.size)
    best = sliding_window_view(padded, (2 * r + 1, 2 * r + 1)).min(axis=(2, 3))
    keep = candidate & (rank == best)
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(keep), strict=True)]
    ### END SOLUTION


def linear_param_count(in_features: int, out_features: int, bias: bool = True) -> int:
    """Number of learned parameters of nn.Linear(in_features, out_features, bias=bias).

    Inputs:
    - in_features, out_features: ints >= 1
    - bias: whether the layer has a bias

    Returns:
    - count: an int (Python int or NumPy integer), in_features * out_features (the weight)
      + out_features (the bias, if any)
    """
    ### BEGIN SOLUTION
    return in_features * out_features + (out_features if bias else 0)
    ### END SOLUTION


def conv_param_count(
    in_channels: int, out_channels: int, kernel_size: int | tuple[int, ...], bias: bool = True
) -> int:
    """Number of learned parameters of a convolution layer (nn.Conv1d, nn.Conv2d, nn.Conv3d, ...).

    Inputs:
    - in_channels, out_channels: ints >= 1
    - kernel_size: an int k (a 1D kernel of k taps) or a tuple (k1, k2, ..., kd) of any
      length d >= 1 (a d-dimensional kernel)
    - bias: whether the layer has a bias (one per output channel)

    Returns:
    - count: an int (Python int or NumPy integer),
      out_channels * in_channels * (k1 * k2 * ... * kd) + out_channels (if bias)
    """
    ### BEGIN SOLUTION
    taps = 1
    for k in (kernel_size,) if isinstance(kernel_size, (int, np.integer)) else kernel_size:
        taps *= int(k)
    return out_channels * in_channels * taps + (out_channels if bias else 0)
    ### END SOLUTION


def mlp_param_count(layer_sizes: list[int], bias: bool = True) -> int:
    """Number of learned parameters of a multilayer perceptron (a chain of nn.Linear layers).

    Inputs:
    - layer_sizes: [n_0, n_1, ..., n_L], at least two ints >= 1: the input size, the hidden
      sizes, the output size; layer l is nn.Linear(n_{l-1}, n_l, bias=bias)
    - bias: whether every layer has a bias

    Returns:
    - count: an int (Python int or NumPy integer), the sum over the L layers of
      linear_param_count(n_{l-1}, n_l, bias)
      (activations have no parameters)

    Example: the lecture's MLP for MFCC frames is [21 * 40, 128, 128, 128, 138].
    """
    ### BEGIN SOLUTION
    return sum(linear_param_count(a, b, bias) for a, b in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))
    ### END SOLUTION


def _pair(value: int | tuple[int, int]) -> tuple[int, int]:
    """Return ``value`` as an ``(h, w)`` pair of ints (an int means the same for both)."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    return int(value[0]), int(value[1])


def cnn_output_shape(
    input_shape: tuple[int, int, int], conv_layers: list[tuple]
) -> tuple[int, int, int]:
    """Shape of the feature map after a stack of 2D convolution layers.

    Inputs:
    - input_shape: (C, H, W), one input without the batch axis
    - conv_layers: a list of (out_channels, kernel_size, stride, padding), one per
      nn.Conv2d layer, applied in order; kernel_size, stride and padding are each an int or
      an (h, w) pair (an int means the same for both; padding is zeros on both sides)

    Returns:
    - shape: a tuple of three ints (Python int or NumPy integer, not floats)
      (C_out, H_out, W_out): the out_channels of the last layer and, applying for every
      layer in turn (and for W likewise)
      H <- floor((H + 2 * padding_h - kernel_h) / stride_h) + 1
      (an integer division: (H + 2 * padding_h - kernel_h) // stride_h + 1)
      (input_shape itself, as a tuple, when conv_layers is empty)

    Raises ValueError if a layer's output would be empty (H_out < 1 or W_out < 1).
    """
    ### BEGIN SOLUTION
    c, h, w = (int(v) for v in input_shape)
    for out_channels, kernel_size, stride, padding in conv_layers:
        (kh, kw), (sh, sw), (ph, pw) = _pair(kernel_size), _pair(stride), _pair(padding)
        h, w = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
        if h < 1 or w < 1:
            raise ValueError(f"layer {(out_channels, kernel_size, stride, padding)} gives an empty output")
        c = int(out_channels)
    return c, h, w
    ### END SOLUTION


def cnn_param_count(
    input_shape: tuple[int, int, int], conv_layers: list[tuple], num_outputs: int, bias: bool = True
) -> int:
    """Number of learned parameters of a CNN: conv layers, flatten, one linear layer.

    Inputs:
    - input_shape, conv_layers: as in cnn_output_shape; layer l is
      nn.Conv2d(C_{l-1}, out_channels_l, kernel_size_l, stride_l, padding_l, bias=bias)
      with C_0 = C (the input's channels) and C_l = out_channels_l
    - num_outputs: the size of the output, an int >= 1
    - bias: whether every layer (conv and linear) has a bias

    Returns:
    - count: an int (Python int or NumPy integer), the sum of conv_param_count over the
      conv layers plus
      linear_param_count(C_out * H_out * W_out, num_outputs, bias), where
      (C_out, H_out, W_out) = cnn_output_shape(input_shape, conv_layers) is flattened.
      Careful: a conv layer's int kernel_size k means k x k here; for conv_param_count an
      int means a 1D kernel, so pass (k, k).

    Raises ValueError as cnn_output_shape does.
    """
    ### BEGIN SOLUTION
    c_out, h_out, w_out = cnn_output_shape(input_shape, conv_layers)
    total, channels = 0, int(input_shape[0])
    for out_channels, kernel_size, _stride, _padding in conv_layers:
        total += conv_param_count(channels, out_channels, _pair(kernel_size), bias)
        channels = int(out_channels)
    return total + linear_param_count(c_out * h_out * w_out, num_outputs, bias)
    ### END SOLUTION
