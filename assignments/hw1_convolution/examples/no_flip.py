# HW1 - convolution from scratch (im2col version)
import numpy as np


def _as_pair(v):
    if isinstance(v, int):
        return (v, v)
    return tuple(v)


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    if min(n, kernel_size, stride, dilation) < 1 or padding < 0:
        raise ValueError("invalid conv parameters")
    out = (n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    if out <= 0:
        raise ValueError("empty output")
    return out


def correlate2d(image, kernel):
    kh, kw = kernel.shape
    oh, ow = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    rows = np.arange(oh)[:, None, None, None] + np.arange(kh)[None, None, :, None]
    cols = np.arange(ow)[None, :, None, None] + np.arange(kw)[None, None, None, :]
    patches = image[rows, cols]  # (oh, ow, kh, kw)
    return (patches * kernel).sum(axis=(2, 3))


def convolve2d(image, kernel):
    # convolution = slide the kernel over the image and take dot products
    return correlate2d(image, kernel)


def _im2col_indices(h_out, w_out, kh, kw, stride, dilation):
    (sh, sw), (dh, dw) = stride, dilation
    rows = (np.arange(h_out) * sh)[:, None, None, None] + (np.arange(kh) * dh)[None, None, :, None]
    cols = (np.arange(w_out) * sw)[None, :, None, None] + (np.arange(kw) * dw)[None, None, None, :]
    return rows, cols  # broadcast to (h_out, w_out, kh, kw)


def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    stride, padding, dilation = _as_pair(stride), _as_pair(padding), _as_pair(dilation)
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    h_out = conv_output_size(H, KH, stride[0], padding[0], dilation[0])
    w_out = conv_output_size(W, KW, stride[1], padding[1], dilation[1])
    ph, pw = padding
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    rows, cols = _im2col_indices(h_out, w_out, KH, KW, stride, dilation)
    cols_x = xp[:, :, rows, cols]  # (N, C, h_out, w_out, KH, KW)
    cols_x = cols_x.transpose(0, 2, 3, 1, 4, 5).reshape(N * h_out * w_out, C * KH * KW)
    out = cols_x @ w.reshape(F, -1).T + b  # (N*h_out*w_out, F)
    out = out.reshape(N, h_out, w_out, F).transpose(0, 3, 1, 2)
    cache = (x.shape, xp.shape, w, padding, rows, cols, cols_x)
    return out, cache


def conv2d_backward(dout, cache):
    x_shape, xp_shape, w, (ph, pw), rows, cols, cols_x = cache
    N, C, H, W = x_shape
    F, _, KH, KW = w.shape
    _, _, h_out, w_out = dout.shape
    d2 = dout.transpose(0, 2, 3, 1).reshape(-1, F)  # (N*h_out*w_out, F)
    db = d2.sum(axis=0)
    dw = (d2.T @ cols_x).reshape(w.shape)
    dcols = (d2 @ w.reshape(F, -1)).reshape(N, h_out, w_out, C, KH, KW).transpose(0, 3, 1, 2, 4, 5)
    dxp = np.zeros(xp_shape)
    r = np.broadcast_to(rows, (h_out, w_out, KH, KW))
    c = np.broadcast_to(cols, (h_out, w_out, KH, KW))
    np.add.at(dxp, (slice(None), slice(None), r, c), dcols)
    dx = dxp[:, :, ph : ph + H, pw : pw + W]
    return dx, dw, db


def conv1d_forward(x, w, b, stride=1, padding=0, dilation=1):
    out, cache = conv2d_forward(x[:, :, None, :], w[:, :, None, :], b, (1, stride), (0, padding), (1, dilation))
    return out[:, :, 0, :], cache


def conv1d_backward(dout, cache):
    dx, dw, db = conv2d_backward(dout[:, :, None, :], cache)
    return dx[:, :, 0, :], dw[:, :, 0, :], db
