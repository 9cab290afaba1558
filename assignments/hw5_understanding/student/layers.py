"""Support module for hw5: working CNN layers in NumPy (the answers to hw1 and hw3).

This file is given to you and is not graded. The grader places this very file next to your
``understanding.py``, so a bug you may have had in an earlier homework cannot cascade into
hw5. ``model.py`` builds the hw5 network from these layers (and re-exports ``softmax``); you
may import them too::

    from layers import softmax

Conventions (the same as ``torch.nn.functional``):

- images are channels first: x is (N, C, H, W); conv weights are (C_out, C_in, KH, KW), conv
  biases (C_out,); linear weights are (out_features, in_features), as ``nn.Linear`` stores them
- a "convolution" computes cross-correlation (no kernel flip), with zero padding on both sides
- every ``*_forward`` returns ``(out, cache)``; the matching ``*_backward`` takes
  ``(dout, cache)`` and returns the gradient(s)
- float64 in, float64 out; the inputs are never modified
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    "conv2d_forward",
    "conv2d_backward",
    "relu_forward",
    "relu_backward",
    "maxpool2d_forward",
    "maxpool2d_backward",
    "global_avg_pool_forward",
    "global_avg_pool_backward",
    "linear_forward",
    "linear_backward",
    "softmax",
]


def _two(value: int | tuple[int, int], name: str) -> tuple[int, int]:
    """An int or an (h, w) pair, as a pair of ints."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return int(value[0]), int(value[1])
    raise ValueError(f"{name} must be an int or an (h, w) pair, got {value!r}")


# ---------------------------------------------------------------- convolution


def conv2d_forward(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> tuple[np.ndarray, tuple]:
    """2D convolution layer (cross-correlation), as ``F.conv2d``.

    Inputs:
    - x: (N, C_in, H, W); w: (C_out, C_in, KH, KW); b: (C_out,)
    - stride, padding, dilation: an int or an (h, w) pair each

    Returns ``(out, cache)`` with out (N, C_out, H_out, W_out),
    out[n, f, i, j] = b[f] + sum_{c, a, e} x_pad[n, c, i*sh + a*dh, j*sw + e*dw] * w[f, c, a, e]
    and H_out = floor((H + 2*ph - dh*(KH - 1) - 1) / sh) + 1 (W_out likewise).
    """
    (sh, sw), (ph, pw), (dh, dw) = _two(stride, "stride"), _two(padding, "padding"), _two(dilation, "dilation")
    n, c, h, wd = x.shape
    f, c_w, kh, kw = w.shape
    if c != c_w or b.shape != (f,):
        raise ValueError(f"shapes do not match: x {x.shape}, w {w.shape}, b {b.shape}")
    if min(sh, sw, dh, dw) < 1 or min(ph, pw) < 0:
        raise ValueError("stride and dilation must be >= 1, padding >= 0")
    h_out = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    w_out = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    if h_out < 1 or w_out < 1:
        raise ValueError(f"the kernel {w.shape[2:]} does not fit in the padded input")
    padded = np.pad(x.transpose(0, 2, 3, 1), ((0, 0), (ph, ph), (pw, pw), (0, 0)))  # channels last
    # im2col, one kernel tap at a time: cols[n, i, j, a, e, c] = x_pad[n, c, i*sh + a*dh, j*sw + e*dw]
    cols = np.empty((n, h_out, w_out, kh, kw, c))
    for a in range(kh):
        for e in range(kw):
            cols[:, :, :, a, e, :] = padded[:, a * dh : a * dh + sh * (h_out - 1) + 1 : sh, e * dw : e * dw + sw * (w_out - 1) + 1 : sw]
    cols = cols.reshape(n * h_out * w_out, kh * kw * c)
    out = (cols @ w.transpose(0, 2, 3, 1).reshape(f, -1).T + b).reshape(n, h_out, w_out, f)
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2)), (x.shape, w.copy(), (sh, sw), (ph, pw), (dh, dw), cols)


def conv2d_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of ``conv2d_forward``: returns ``(dx, dw, db)`` shaped like x, w and b."""
    x_shape, w, (sh, sw), (ph, pw), (dh, dw), cols = cache
    n, c, h, wd = x_shape
    f, _, kh, kw = w.shape
    h_out, w_out = dout.shape[2:]
    rows = dout.transpose(0, 2, 3, 1).reshape(-1, f)  # one row per output position
    db = rows.sum(axis=0)
    dw_ = (rows.T @ cols).reshape(f, kh, kw, c).transpose(0, 3, 1, 2)
    dcols = (rows @ w.transpose(0, 2, 3, 1).reshape(f, -1)).reshape(n, h_out, w_out, kh, kw, c)
    dx_pad = np.zeros((n, h + 2 * ph, wd + 2 * pw, c))
    for a in range(kh):  # col2im: every kernel tap scatters its share back onto the input
        for e in range(kw):
            r = slice(a * dh, a * dh + sh * (h_out - 1) + 1, sh)
            q = slice(e * dw, e * dw + sw * (w_out - 1) + 1, sw)
            dx_pad[:, r, q, :] += dcols[:, :, :, a, e, :]
    dx = dx_pad[:, ph : ph + h, pw : pw + wd, :].transpose(0, 3, 1, 2)
    return np.ascontiguousarray(dx), np.ascontiguousarray(dw_), db


# ---------------------------------------------------------------- ReLU


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ReLU: out = max(x, 0), elementwise. Returns ``(out, cache)``."""
    out = np.maximum(x, 0.0)
    return out, out


def relu_backward(dout: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """dx = dout where the output was positive, 0 elsewhere (as PyTorch: 0 at x == 0)."""
    return np.where(cache > 0, dout, 0.0)


# ---------------------------------------------------------------- max pooling


def maxpool2d_forward(
    x: np.ndarray, kernel_size: int | tuple[int, int] = 2, stride: int | tuple[int, int] | None = None
) -> tuple[np.ndarray, tuple]:
    """Max pooling, as ``F.max_pool2d`` (no padding; a partial window at the end is dropped).

    Inputs: x (N, C, H, W); kernel_size and stride an int or an (h, w) pair (stride defaults
    to the kernel size). Returns ``(out, cache)``, out (N, C, H_out, W_out) with
    H_out = floor((H - KH) / sh) + 1 and out[n, c, i, j] = max of x[n, c, i*sh : i*sh+KH, j*sw : j*sw+KW].
    """
    kh, kw = _two(kernel_size, "kernel_size")
    sh, sw = _two(kernel_size if stride is None else stride, "stride")
    n, c, h, w = x.shape
    if kh > h or kw > w:
        raise ValueError(f"the pooling window {(kh, kw)} does not fit in {(h, w)}")
    windows = sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]  # (N, C, Ho, Wo, KH, KW)
    h_out, w_out = windows.shape[2:4]
    flat = windows.reshape(n, c, h_out, w_out, kh * kw)
    # the gradient goes to the first maximum of each window in row-major order, as PyTorch does
    first = np.argmax(flat, axis=-1)
    out = np.take_along_axis(flat, first[..., None], axis=-1)[..., 0]
    return out, (x.shape, (kh, kw), (sh, sw), first)


def maxpool2d_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """dx: each window's gradient goes to its (first) maximum; overlapping windows add up."""
    x_shape, (kh, kw), (sh, sw), first = cache
    dx = np.zeros(x_shape)
    h_out, w_out = dout.shape[2:]
    for a in range(kh):
        for e in range(kw):
            hit = np.where(first == a * kw + e, dout, 0.0)
            dx[:, :, a : a + sh * (h_out - 1) + 1 : sh, e : e + sw * (w_out - 1) + 1 : sw] += hit
    return dx


# ---------------------------------------------------------------- global average pooling, linear


def global_avg_pool_forward(x: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Global average pooling: (N, C, H, W) -> (N, C), the mean of every channel."""
    return x.mean(axis=(2, 3)), x.shape


def global_avg_pool_backward(dout: np.ndarray, cache: tuple) -> np.ndarray:
    """dx[n, c, i, j] = dout[n, c] / (H * W)."""
    n, c, h, w = cache
    return np.broadcast_to(dout[:, :, None, None] / (h * w), (n, c, h, w)).copy()


def linear_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Fully connected layer, as ``nn.Linear``: x (N, D_in), w (D_out, D_in), b (D_out,) -> x @ w.T + b."""
    return x @ w.T + b, (x, w)


def linear_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of ``linear_forward``: ``(dx, dw, db)``."""
    x, w = cache
    return dout @ w, dout.T @ x, dout.sum(axis=0)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of (N, K) logits, computed stably (the row maximum is subtracted first)."""
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)
