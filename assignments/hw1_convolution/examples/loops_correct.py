"""hw1 submission: convolution with plain Python loops (one output element at a time).

Slow but straightforward: every output value is computed by its own loop iteration, exactly
as the formulas in the handout are written.
"""

import numpy as np


def _two(v):
    # stride/padding/dilation may be an int or an (h, w) pair
    if isinstance(v, (tuple, list)):
        return int(v[0]), int(v[1])
    return int(v), int(v)


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    if n < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("bad arguments to conv_output_size")
    effective_kernel = dilation * (kernel_size - 1) + 1
    padded = n + 2 * padding
    if effective_kernel > padded:
        raise ValueError("kernel is larger than the padded input")
    return (padded - effective_kernel) // stride + 1


def correlate2d(image, kernel):
    H, W = image.shape
    kh, kw = kernel.shape
    out = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            total = 0.0
            for a in range(kh):
                for b in range(kw):
                    total += image[i + a, j + b] * kernel[a, b]
            out[i, j] = total
    return out


def convolve2d(image, kernel):
    H, W = image.shape
    kh, kw = kernel.shape
    out = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            total = 0.0
            for a in range(kh):
                for b in range(kw):
                    total += image[i + a, j + b] * kernel[kh - 1 - a, kw - 1 - b]
            out[i, j] = total
    return out


def conv1d_forward(x, w, b, stride=1, padding=0, dilation=1):
    N, C, T = x.shape
    F, C2, K = w.shape
    assert C == C2, "channel mismatch"
    T_out = conv_output_size(T, K, stride, padding, dilation)
    xp = np.zeros((N, C, T + 2 * padding))
    xp[:, :, padding : padding + T] = x
    out = np.zeros((N, F, T_out))
    for n in range(N):
        for f in range(F):
            for t in range(T_out):
                s = b[f]
                for c in range(C):
                    for k in range(K):
                        s += xp[n, c, t * stride + k * dilation] * w[f, c, k]
                out[n, f, t] = s
    cache = (xp, w, stride, padding, dilation, T)
    return out, cache


def conv1d_backward(dout, cache):
    xp, w, stride, padding, dilation, T = cache
    N, F, T_out = dout.shape
    _, C, K = w.shape
    dxp = np.zeros(xp.shape)
    dw = np.zeros(w.shape)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for t in range(T_out):
                g = dout[n, f, t]
                db[f] += g
                for c in range(C):
                    for k in range(K):
                        pos = t * stride + k * dilation
                        dw[f, c, k] += g * xp[n, c, pos]
                        dxp[n, c, pos] += g * w[f, c, k]
    dx = dxp[:, :, padding : padding + T].copy()
    return dx, dw, db


def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    sh, sw = _two(stride)
    ph, pw = _two(padding)
    dh, dw = _two(dilation)
    N, C, H, W = x.shape
    F, C2, KH, KW = w.shape
    assert C == C2, "channel mismatch"
    H_out = conv_output_size(H, KH, sh, ph, dh)
    W_out = conv_output_size(W, KW, sw, pw, dw)
    xp = np.zeros((N, C, H + 2 * ph, W + 2 * pw))
    xp[:, :, ph : ph + H, pw : pw + W] = x
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    r0, c0 = i * sh, j * sw
                    patch = xp[n, :, r0 : r0 + dh * (KH - 1) + 1 : dh, c0 : c0 + dw * (KW - 1) + 1 : dw]
                    out[n, f, i, j] = np.sum(patch * w[f]) + b[f]
    cache = (xp, w, (sh, sw), (ph, pw), (dh, dw), (H, W))
    return out, cache


def conv2d_backward(dout, cache):
    xp, w, (sh, sw), (ph, pw), (dh, dw), (H, W) = cache
    N, F, H_out, W_out = dout.shape
    KH, KW = w.shape[2], w.shape[3]
    dxp = np.zeros(xp.shape)
    dweights = np.zeros(w.shape)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    g = dout[n, f, i, j]
                    r0, c0 = i * sh, j * sw
                    rows = slice(r0, r0 + dh * (KH - 1) + 1, dh)
                    cols = slice(c0, c0 + dw * (KW - 1) + 1, dw)
                    db[f] += g
                    dweights[f] += g * xp[n, :, rows, cols]
                    dxp[n, :, rows, cols] += g * w[f]
    dx = dxp[:, :, ph : ph + H, pw : pw + W].copy()
    return dx, dweights, db
