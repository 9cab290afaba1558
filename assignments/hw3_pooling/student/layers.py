"""Support module for hw3: a working 2D convolution layer (the answer to hw1's conv2d).

This file is given to you and is not graded. The grader places this very file next to your
``pooling.py``, so a bug you may have had in hw1 cannot cascade into hw3. Import it with::

    from layers import conv2d_forward, conv2d_backward

Conventions (the same as ``torch.nn.functional.conv2d``):

- x is (N, C_in, H, W), w is (C_out, C_in, KH, KW), b is (C_out,); out is (N, C_out, H_out, W_out)
- the layer computes cross-correlation (no kernel flip)
- ``stride``, ``padding`` and ``dilation`` are an int or an ``(h, w)`` pair; padding is zeros
  on both sides
- H_out = floor((H + 2*padding_h - dilation_h*(KH - 1) - 1) / stride_h) + 1 (W likewise)
- float64 in, float64 out; the inputs are never modified
"""

from __future__ import annotations

import numpy as np
from numpy.lib import stride_tricks

__all__ = ["conv2d_forward", "conv2d_backward"]


def _as_hw(value: int | tuple[int, int], name: str) -> tuple[int, int]:
    """An int or an (h, w) pair, as a pair of ints."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return int(value[0]), int(value[1])
    raise ValueError(f"{name} must be an int or an (h, w) pair, got {value!r}")


def conv2d_forward(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> tuple[np.ndarray, tuple]:
    """Forward pass of a 2D convolution layer (cross-correlation), as F.conv2d.

    Inputs:
    - x: (N, C_in, H, W)
    - w: (C_out, C_in, KH, KW)
    - b: (C_out,)
    - stride, padding, dilation: an int or an (h, w) pair each

    Returns a tuple of:
    - out: (N, C_out, H_out, W_out),
      out[n, f, i, j] = b[f] + sum_{c, a, e} x_pad[n, c, i*sh + a*dh, j*sw + e*dw] * w[f, c, a, e]
    - cache: what conv2d_backward needs
    """
    stride_hw = _as_hw(stride, "stride")
    pad_hw = _as_hw(padding, "padding")
    dil_hw = _as_hw(dilation, "dilation")
    batch, channels, height, width = x.shape
    filters, w_channels, kh, kw = w.shape
    if channels != w_channels or b.shape != (filters,):
        raise ValueError(f"shapes do not match: x {x.shape}, w {w.shape}, b {b.shape}")
    if min(stride_hw) < 1 or min(dil_hw) < 1 or min(pad_hw) < 0:
        raise ValueError(f"invalid stride {stride!r}, padding {padding!r} or dilation {dilation!r}")
    span_h = dil_hw[0] * (kh - 1) + 1  # rows covered by the dilated kernel
    span_w = dil_hw[1] * (kw - 1) + 1
    if span_h > height + 2 * pad_hw[0] or span_w > width + 2 * pad_hw[1]:
        raise ValueError(f"the kernel {w.shape[2:]} does not fit in the padded input {x.shape[2:]}")
    padded = np.pad(x, ((0, 0), (0, 0), (pad_hw[0],) * 2, (pad_hw[1],) * 2))
    # patches[n, c, i, j, a, e] = padded[n, c, i*sh + a*dh, j*sw + e*dw]
    patches = stride_tricks.sliding_window_view(padded, (span_h, span_w), axis=(2, 3))
    patches = patches[:, :, :: stride_hw[0], :: stride_hw[1], :: dil_hw[0], :: dil_hw[1]]
    h_out, w_out = patches.shape[2], patches.shape[3]
    # im2col: one row per output position (n, i, j), one column per kernel tap (c, a, e)
    columns = patches.transpose(0, 2, 3, 1, 4, 5).reshape(batch * h_out * w_out, channels * kh * kw)
    result = columns @ w.reshape(filters, -1).T + b
    out = np.ascontiguousarray(result.reshape(batch, h_out, w_out, filters).transpose(0, 3, 1, 2))
    cache = (x.shape, w.copy(), stride_hw, pad_hw, dil_hw, columns)
    return out, cache


def conv2d_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a 2D convolution layer.

    Inputs:
    - dout: (N, C_out, H_out, W_out), the upstream gradient dL/dout
    - cache: what conv2d_forward returned

    Returns a tuple of:
    - dx: (N, C_in, H, W), dL/dx
    - dw: (C_out, C_in, KH, KW), dL/dw (summed over the batch)
    - db: (C_out,), dL/db = dout summed over N, H_out and W_out
    """
    x_shape, w, (sh, sw), (ph, pw), (dh, dw_), columns = cache
    batch, channels, height, width = x_shape
    filters, _, kh, kw = w.shape
    h_out, w_out = dout.shape[2], dout.shape[3]
    grad_rows = dout.transpose(0, 2, 3, 1).reshape(-1, filters)  # (N*H_out*W_out, C_out)
    grad_b = grad_rows.sum(axis=0)
    grad_w = (grad_rows.T @ columns).reshape(w.shape)
    grad_columns = (grad_rows @ w.reshape(filters, -1)).reshape(batch, h_out, w_out, channels, kh, kw)
    grad_padded = np.zeros((batch, channels, height + 2 * ph, width + 2 * pw))
    for a in range(kh):  # col2im: each kernel tap scatters its gradient back onto the input
        for e in range(kw):
            row_end = a * dh + sh * (h_out - 1) + 1
            col_end = e * dw_ + sw * (w_out - 1) + 1
            grad_padded[:, :, a * dh : row_end : sh, e * dw_ : col_end : sw] += grad_columns[..., a, e].transpose(0, 3, 1, 2)
    grad_x = grad_padded[:, :, ph : ph + height, pw : pw + width].copy()
    return grad_x, grad_w, grad_b
