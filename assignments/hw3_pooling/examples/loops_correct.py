"""hw3 submission: pooling, heads and the small CNN with plain Python loops.

Slow but straightforward: every pooled value is computed by its own loop iteration, exactly as
the formulas in the handout are written, and the backward passes walk the same loops.
"""

import math

import numpy as np
from layers import conv2d_backward, conv2d_forward


def _two(v, name):
    if isinstance(v, (tuple, list)):
        return int(v[0]), int(v[1])
    return int(v), int(v)


def _settings(x, kernel_size, stride, padding):
    kh, kw = _two(kernel_size, "kernel_size")
    if stride is None:
        sh, sw = kh, kw
    else:
        sh, sw = _two(stride, "stride")
    ph, pw = _two(padding, "padding")
    if kh < 1 or kw < 1 or sh < 1 or sw < 1 or ph < 0 or pw < 0:
        raise ValueError("bad pooling settings")
    if ph > kh / 2 or pw > kw / 2:
        raise ValueError("padding should be at most half of the kernel size")
    H, W = x.shape[2], x.shape[3]
    Ho = (H + 2 * ph - kh) // sh + 1
    Wo = (W + 2 * pw - kw) // sw + 1
    if Ho < 1 or Wo < 1:
        raise ValueError("the output would be empty")
    return kh, kw, sh, sw, ph, pw, Ho, Wo


def relu_forward(x):
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        if x[idx] > 0:
            out[idx] = x[idx]
    return out, x.copy()


def relu_backward(dout, cache):
    x = cache
    dx = np.zeros_like(dout)
    for idx in np.ndindex(x.shape):
        if x[idx] > 0:
            dx[idx] = dout[idx]
    return dx


def maxpool2d_forward(x, kernel_size, stride=None, padding=0):
    kh, kw, sh, sw, ph, pw, Ho, Wo = _settings(x, kernel_size, stride, padding)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    where = np.zeros((N, C, Ho, Wo, 2), dtype=np.int64)  # (row, col) of each window's max in x
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    # as PyTorch: the candidate starts at the window's first real entry (never padding)
                    best, best_pos = -math.inf, (max(i * sh - ph, 0), max(j * sw - pw, 0))
                    for a in range(kh):  # row-major scan: a later tie never replaces the first max
                        for e in range(kw):
                            r, q = i * sh + a - ph, j * sw + e - pw
                            if 0 <= r < H and 0 <= q < W and x[n, c, r, q] > best:
                                best, best_pos = x[n, c, r, q], (r, q)
                    out[n, c, i, j] = best
                    where[n, c, i, j] = best_pos
    return out, (x.shape, where)


def maxpool2d_backward(dout, cache):
    x_shape, where = cache
    dx = np.zeros(x_shape)
    N, C, Ho, Wo = dout.shape
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    r, q = where[n, c, i, j]
                    dx[n, c, r, q] += dout[n, c, i, j]
    return dx


def avgpool2d_forward(x, kernel_size, stride=None, padding=0):
    kh, kw, sh, sw, ph, pw, Ho, Wo = _settings(x, kernel_size, stride, padding)
    N, C, H, W = x.shape
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    total = 0.0
                    for a in range(kh):
                        for e in range(kw):
                            r, q = i * sh + a - ph, j * sw + e - pw
                            if 0 <= r < H and 0 <= q < W:
                                total += x[n, c, r, q]
                    out[n, c, i, j] = total / (kh * kw)  # the padding zeros count
    return out, (x.shape, kh, kw, sh, sw, ph, pw)


def avgpool2d_backward(dout, cache):
    x_shape, kh, kw, sh, sw, ph, pw = cache
    N, C, H, W = x_shape
    dx = np.zeros(x_shape)
    Ho, Wo = dout.shape[2], dout.shape[3]
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    for a in range(kh):
                        for e in range(kw):
                            r, q = i * sh + a - ph, j * sw + e - pw
                            if 0 <= r < H and 0 <= q < W:
                                dx[n, c, r, q] += dout[n, c, i, j] / (kh * kw)
    return dx


def global_avg_pool_forward(x):
    N, C, H, W = x.shape
    out = np.zeros((N, C))
    for n in range(N):
        for c in range(C):
            out[n, c] = np.sum(x[n, c]) / (H * W)
    return out, x.shape


def global_avg_pool_backward(dout, cache):
    N, C, H, W = cache
    dx = np.zeros(cache)
    for n in range(N):
        for c in range(C):
            dx[n, c, :, :] = dout[n, c] / (H * W)
    return dx


def flatten_forward(x):
    N = x.shape[0]
    size = int(np.prod(x.shape[1:]))
    out = np.zeros((N, size))
    for n in range(N):
        k = 0
        for idx in np.ndindex(x.shape[1:]):  # last axis fastest: (C, H, W) order
            out[n, k] = x[(n, *idx)]
            k += 1
    return out, x.shape


def flatten_backward(dout, cache):
    dx = np.zeros(cache)
    for n in range(cache[0]):
        k = 0
        for idx in np.ndindex(cache[1:]):
            dx[(n, *idx)] = dout[n, k]
            k += 1
    return dx


def linear_forward(x, w, b):
    N, D = x.shape
    M = w.shape[0]
    out = np.zeros((N, M))
    for n in range(N):
        for j in range(M):
            out[n, j] = b[j] + sum(x[n, i] * w[j, i] for i in range(D))
    return out, (x.copy(), w.copy())


def linear_backward(dout, cache):
    x, w = cache
    N, D = x.shape
    M = w.shape[0]
    dx, dw, db = np.zeros((N, D)), np.zeros((M, D)), np.zeros(M)
    for n in range(N):
        for j in range(M):
            db[j] += dout[n, j]
            for i in range(D):
                dx[n, i] += dout[n, j] * w[j, i]
                dw[j, i] += dout[n, j] * x[n, i]
    return dx, dw, db


def softmax_cross_entropy(logits, labels):
    N, K = logits.shape
    loss = 0.0
    dlogits = np.zeros((N, K))
    for n in range(N):
        m = max(logits[n])
        exps = [math.exp(logits[n, k] - m) for k in range(K)]
        total = sum(exps)
        loss += m + math.log(total) - logits[n, labels[n]]
        for k in range(K):
            dlogits[n, k] = exps[k] / total - (1.0 if k == labels[n] else 0.0)
    return loss / N, dlogits / N


def cnn_loss_and_grads(x, y, params, head="gap"):
    W1, b1, W2, b2, W3, b3 = params["W1"], params["b1"], params["W2"], params["b2"], params["W3"], params["b3"]
    z1, conv1 = conv2d_forward(x, W1, b1, 1, 1)
    r1, relu1 = relu_forward(z1)
    m1, pool1 = maxpool2d_forward(r1, 2, 2)
    z2, conv2 = conv2d_forward(m1, W2, b2, 1, 1)
    r2, relu2 = relu_forward(z2)
    if head == "gap":
        f, headc = global_avg_pool_forward(r2)
    elif head == "fc":
        f, headc = flatten_forward(r2)
    else:
        raise ValueError("unknown head " + str(head))
    s, lin = linear_forward(f, W3, b3)
    loss, ds = softmax_cross_entropy(s, y)
    df, dW3, db3 = linear_backward(ds, lin)
    dr2 = global_avg_pool_backward(df, headc) if head == "gap" else flatten_backward(df, headc)
    dm1, dW2, db2 = conv2d_backward(relu_backward(dr2, relu2), conv2)
    dz1 = relu_backward(maxpool2d_backward(dm1, pool1), relu1)
    _dx, dW1, db1 = conv2d_backward(dz1, conv1)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "W3": dW3, "b3": db3}
