"""hw6 by a student who carries hw1's convolution habits over to the transposed layer and the MLP.

The weights are read as (C_out, C_in, KH, KW), padding is added around the output instead of
cropped from it, and the MLP's input is read feature-major. The resampling is right.
"""

import math

import numpy as np


def _pair(v):
    return (v, v) if isinstance(v, int) else (v[0], v[1])


def upsample1d(x, factor):
    n, c, w = x.shape
    out = np.zeros((n, c, (w - 1) * factor + 1))
    for i in range(w):
        out[:, :, i * factor] = x[:, :, i]
    return out


def upsample1d_backward(dout, factor):
    n, c, width = dout.shape
    w = (width - 1) // factor + 1
    dx = np.zeros((n, c, w))
    for i in range(w):
        dx[:, :, i] = dout[:, :, i * factor]
    return dx


def downsample1d(x, factor):
    n, c, w = x.shape
    out = np.zeros((n, c, math.ceil(w / factor)))
    for i in range(out.shape[2]):
        out[:, :, i] = x[:, :, i * factor]
    return out


def downsample1d_backward(dout, factor, width):
    n, c, length = dout.shape
    dx = np.zeros((n, c, width))
    for i in range(length):
        dx[:, :, i * factor] = dout[:, :, i]
    return dx


def upsample2d(x, factor):
    fh, fw = _pair(factor)
    n, c, h, w = x.shape
    out = np.zeros((n, c, (h - 1) * fh + 1, (w - 1) * fw + 1))
    for i in range(h):
        for j in range(w):
            out[:, :, i * fh, j * fw] = x[:, :, i, j]
    return out


def upsample2d_backward(dout, factor):
    fh, fw = _pair(factor)
    n, c, hh, ww = dout.shape
    h, w = (hh - 1) // fh + 1, (ww - 1) // fw + 1
    dx = np.zeros((n, c, h, w))
    for i in range(h):
        for j in range(w):
            dx[:, :, i, j] = dout[:, :, i * fh, j * fw]
    return dx


def downsample2d(x, factor):
    fh, fw = _pair(factor)
    n, c, h, w = x.shape
    out = np.zeros((n, c, math.ceil(h / fh), math.ceil(w / fw)))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = x[:, :, i * fh, j * fw]
    return out


def downsample2d_backward(dout, factor, size):
    fh, fw = _pair(factor)
    n, c, hh, ww = dout.shape
    dx = np.zeros((n, c, size[0], size[1]))
    for i in range(hh):
        for j in range(ww):
            dx[:, :, i * fh, j * fw] = dout[:, :, i, j]
    return dx


def _out_size(n, k, s, p, op, d):
    if op >= s and op >= d:
        raise ValueError("output_padding must be smaller than either stride or dilation")
    size = (n - 1) * s + 2 * p + d * (k - 1) + op + 1  # padding grows the output, as in a convolution
    if size < 1:
        raise ValueError("empty output")
    return size


def conv_transpose2d_forward(x, w, b, stride=1, padding=0, output_padding=0, dilation=1):
    sh, sw = _pair(stride)
    ph, pw = _pair(padding)
    oph, opw = _pair(output_padding)
    dh, dw = _pair(dilation)
    n, c_in, h, wd = x.shape
    c_out, _, kh, kw = w.shape
    h_out = _out_size(h, kh, sh, ph, oph, dh)
    w_out = _out_size(wd, kw, sw, pw, opw, dw)
    out = np.zeros((n, c_out, h_out, w_out))
    for o in range(c_out):
        out[:, o] += b[o]
    for i in range(h):
        for j in range(wd):
            for a in range(kh):
                for e in range(kw):
                    r, q = i * sh + a * dh + ph, j * sw + e * dw + pw
                    if 0 <= r < h_out and 0 <= q < w_out:
                        out[:, :, r, q] += x[:, :, i, j] @ w[:, :, a, e].T
    return out, (x, w, (sh, sw), (ph, pw), (dh, dw))


def conv_transpose2d_backward(dout, cache):
    x, w, (sh, sw), (ph, pw), (dh, dw) = cache
    n, c_in, h, wd = x.shape
    c_out, _, kh, kw = w.shape
    h_out, w_out = dout.shape[2], dout.shape[3]
    dx = np.zeros(x.shape)
    dw_ = np.zeros(w.shape)
    db = np.zeros(c_out)
    for o in range(c_out):
        db[o] = dout[:, o].sum()
    for i in range(h):
        for j in range(wd):
            for a in range(kh):
                for e in range(kw):
                    r, q = i * sh + a * dh + ph, j * sw + e * dw + pw
                    if 0 <= r < h_out and 0 <= q < w_out:
                        dx[:, :, i, j] += dout[:, :, r, q] @ w[:, :, a, e]
                        dw_[:, :, a, e] += dout[:, :, r, q].T @ x[:, :, i, j]
    return dx, dw_, db


def conv_transpose1d_forward(x, w, b, stride=1, padding=0, output_padding=0, dilation=1):
    out, cache = conv_transpose2d_forward(
        x[:, :, None, :], w[:, :, None, :], b, (1, stride), (0, padding), (0, output_padding), (1, dilation)
    )
    return out[:, :, 0, :], cache


def conv_transpose1d_backward(dout, cache):
    dx, dw, db = conv_transpose2d_backward(dout[:, :, None, :], cache)
    return dx[:, :, 0, :], dw[:, :, 0, :], db


def overlap_counts(kernel_size, stride, length):
    counts = np.zeros(length, dtype=int)
    for i in range(math.ceil(length / stride)):
        for k in range(kernel_size):
            if i * stride + k < length:
                counts[i * stride + k] += 1
    return counts


def mlp_to_conv1d_simple(weights, biases, window, hop):
    out0, in0 = weights[0].shape
    channels = in0 // window
    w0 = np.zeros((out0, channels, window))
    for o in range(out0):
        for t in range(window):
            for c in range(channels):
                w0[o, c, t] = weights[0][o, c * window + t]
    layers = [(w0, biases[0].copy(), hop)]
    for k in range(1, len(weights)):
        layers.append((weights[k].reshape(weights[k].shape[0], weights[k].shape[1], 1).copy(), biases[k].copy(), 1))
    return layers


def mlp_to_conv1d_distributed(weights, biases, spans, hops):
    L = len(weights)
    groups = [0] * L
    g = 1
    for k in range(L - 1, -1, -1):
        groups[k] = g
        g = (g - 1) * hops[k] + spans[k]
    window = g
    width = weights[0].shape[1] // window
    layers = []
    total = 0
    for k in range(L):
        out_k = weights[k].shape[0] // groups[k]
        w = np.zeros((out_k, width, spans[k]))
        for o in range(out_k):
            for t in range(spans[k]):
                for c in range(width):
                    w[o, c, t] = weights[k][o, t * width + c]
        b = biases[k][:out_k].copy()
        layers.append((w, b, hops[k]))
        total += w.size + b.size
        width = out_k
    return layers, total
