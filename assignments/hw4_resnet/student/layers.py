"""Support module for hw4: working NumPy layers (the answers to hw1's conv2d and hw3's ReLU).

This file is given to you and is not graded. The grader places this very file next to your
``resnet.py``, so a bug you may have had in an earlier assignment cannot cascade into hw4::

    from layers import conv2d_forward, conv2d_backward, relu_forward, relu_backward

Conventions (the same as ``torch.nn.functional``):

- x is (N, C_in, H, W), w is (C_out, C_in, KH, KW), b is (C_out,) or None (no bias)
- the convolution computes cross-correlation (no kernel flip); padding is zeros on both sides
- H_out = floor((H + 2*padding - KH) / stride) + 1 (W likewise)
- float64 in, float64 out; the inputs are never modified
"""

from __future__ import annotations

import numpy as np
from numpy.lib import stride_tricks

__all__ = ["conv2d_forward", "conv2d_backward", "relu_forward", "relu_backward"]


def conv2d_forward(
    x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None, stride: int = 1, padding: int = 0
) -> tuple[np.ndarray, tuple]:
    """Forward pass of a 2D convolution layer (cross-correlation), as F.conv2d.

    Inputs:
    - x: (N, C_in, H, W)
    - w: (C_out, C_in, KH, KW)
    - b: (C_out,) or None for a convolution without bias
    - stride, padding: ints, the same along both spatial axes

    Returns a tuple of:
    - out: (N, C_out, H_out, W_out),
      out[n, f, i, j] = b[f] + sum_{c, a, e} x_pad[n, c, i*stride + a, j*stride + e] * w[f, c, a, e]
    - cache: what conv2d_backward needs
    """
    batch, channels, height, width = x.shape
    filters, w_channels, kh, kw = w.shape
    if channels != w_channels or (b is not None and np.shape(b) != (filters,)):
        raise ValueError(f"shapes do not match: x {x.shape}, w {w.shape}, b {None if b is None else np.shape(b)}")
    if stride < 1 or padding < 0 or kh > height + 2 * padding or kw > width + 2 * padding:
        raise ValueError(f"invalid stride {stride!r} or padding {padding!r} for x {x.shape} and w {w.shape}")
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    # patches[n, c, i, j, a, e] = padded[n, c, i*stride + a, j*stride + e]
    patches = stride_tricks.sliding_window_view(padded, (kh, kw), axis=(2, 3))[:, :, ::stride, ::stride]
    h_out, w_out = patches.shape[2], patches.shape[3]
    # im2col: one row per output position (n, i, j), one column per kernel tap (c, a, e)
    columns = patches.transpose(0, 2, 3, 1, 4, 5).reshape(batch * h_out * w_out, channels * kh * kw)
    result = columns @ w.reshape(filters, -1).T
    if b is not None:
        result = result + b
    out = np.ascontiguousarray(result.reshape(batch, h_out, w_out, filters).transpose(0, 3, 1, 2))
    return out, (x.shape, w.copy(), stride, padding, columns)


def conv2d_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a 2D convolution layer.

    Inputs:
    - dout: (N, C_out, H_out, W_out), the upstream gradient dL/dout
    - cache: what conv2d_forward returned

    Returns a tuple of:
    - dx: (N, C_in, H, W), dL/dx
    - dw: (C_out, C_in, KH, KW), dL/dw (summed over the batch)
    - db: (C_out,), dL/db = dout summed over N, H_out and W_out (ignore it for a layer without bias)
    """
    (batch, channels, height, width), w, stride, padding, columns = cache
    filters, _, kh, kw = w.shape
    h_out, w_out = dout.shape[2], dout.shape[3]
    grad_rows = dout.transpose(0, 2, 3, 1).reshape(-1, filters)  # (N*H_out*W_out, C_out)
    grad_w = (grad_rows.T @ columns).reshape(w.shape)
    grad_columns = (grad_rows @ w.reshape(filters, -1)).reshape(batch, h_out, w_out, channels, kh, kw)
    grad_padded = np.zeros((batch, channels, height + 2 * padding, width + 2 * padding))
    for a in range(kh):  # col2im: each kernel tap scatters its gradient back onto the input
        for e in range(kw):
            rows = slice(a, a + stride * (h_out - 1) + 1, stride)
            cols = slice(e, e + stride * (w_out - 1) + 1, stride)
            grad_padded[:, :, rows, cols] += grad_columns[..., a, e].transpose(0, 3, 1, 2)
    grad_x = grad_padded[:, :, padding : padding + height, padding : padding + width].copy()
    return grad_x, grad_w, grad_rows.sum(axis=0)


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward pass of a ReLU: out = max(x, 0) elementwise; returns (out, cache)."""
    return np.maximum(x, 0.0), x > 0


def relu_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """Backward pass of a ReLU: the gradient flows where x > 0 (it is 0 at x == 0, as in torch)."""
    return np.where(cache, dout, 0.0)
