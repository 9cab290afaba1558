"""HW1: 1D and 2D convolution layers, forward and backward.

Forward passes loop over the kernel taps and handle all output positions of a tap at once
with a strided slice.
"""

import numpy as np


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    if n < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("invalid arguments")
    size = (n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    if size < 1:
        raise ValueError("the kernel does not fit in the input")
    return size


def correlate2d(image, kernel):
    kh, kw = kernel.shape
    H, W = image.shape
    out = np.zeros((H - kh + 1, W - kw + 1))
    for a in range(kh):
        for b in range(kw):
            out += kernel[a, b] * image[a : a + H - kh + 1, b : b + W - kw + 1]
    return out


def convolve2d(image, kernel):
    return correlate2d(image, np.flip(kernel))


def conv1d_forward(x, w, b, stride=1, padding=0, dilation=1):
    N, C, T = x.shape
    F, _, K = w.shape
    T_out = conv_output_size(T, K, stride, padding, dilation)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    out = np.zeros((N, F, T_out)) + b[None, :, None]
    for k in range(K):
        start = k * dilation
        xs = xp[:, :, start : start + stride * (T_out - 1) + 1 : stride]  # (N, C, T_out)
        out += np.einsum("nct,fc->nft", xs, w[:, :, k])
    return out, (xp, w, stride, padding, dilation)


def conv1d_backward(dout, cache):
    xp, w, stride, padding, dilation = cache
    N, F, T_out = dout.shape
    K = w.shape[2]
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    for k in range(K):
        start = k * dilation
        sl = slice(start, start + stride * (T_out - 1) + 1, stride)
        dw[:, :, k] = np.einsum("nft,nct->fc", dout, xp[:, :, sl])
        dxp[:, :, sl] += np.einsum("nft,fc->nct", dout, w[:, :, k])
    db = dout.sum(axis=(0, 2))
    T = xp.shape[2] - 2 * padding
    return dxp[:, :, padding : padding + T], dw, db


def _hw(v):
    return (v, v) if isinstance(v, int) else (v[0], v[1])


def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    sh, sw = _hw(stride)
    ph, pw = _hw(padding)
    dh, dw = _hw(dilation)
    N, C, H, W = x.shape
    F, _, KH, KW = w.shape
    H_out = conv_output_size(H, KH, sh, ph, dh)
    W_out = conv_output_size(W, KW, sw, pw, dw)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((N, F, H_out, W_out)) + b[None, :, None, None]
    for a in range(KH):
        for e in range(KW):
            xs = xp[:, :, a * dh : a * dh + sh * (H_out - 1) + 1 : sh, e * dw : e * dw + sw * (W_out - 1) + 1 : sw]
            out += np.einsum("ncij,fc->nfij", xs, w[:, :, a, e])
    return out, (xp, w, (sh, sw), (ph, pw), (dh, dw))


def conv2d_backward(dout, cache):
    xp, w, (sh, sw), (ph, pw), (dh, dw) = cache
    N, F, H_out, W_out = dout.shape
    KH, KW = w.shape[2:]
    dxp = np.zeros_like(xp)
    dweight = np.zeros_like(w)
    for a in range(KH):
        for e in range(KW):
            rows = slice(a * dh, a * dh + H_out)
            cols = slice(e * dw, e * dw + W_out)
            dweight[:, :, a, e] = np.einsum("nfij,ncij->fc", dout, xp[:, :, rows, cols])
            dxp[:, :, rows, cols] += np.einsum("nfij,fc->ncij", dout, w[:, :, a, e])
    db = dout.sum(axis=(0, 2, 3))
    H, W = xp.shape[2] - 2 * ph, xp.shape[3] - 2 * pw
    return dxp[:, :, ph : ph + H, pw : pw + W], dweight, db
