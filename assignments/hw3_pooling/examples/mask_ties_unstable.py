# HW3 - pooling and heads (vectorized with masks)
import numpy as np
from layers import conv2d_backward, conv2d_forward


def _hw(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def _windows(x, k, s, p, fill):
    kh, kw = k
    sh, sw = s
    ph, pw = p
    if 2 * ph > kh or 2 * pw > kw:
        raise ValueError("padding too large")
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    Ho = (xp.shape[2] - kh) // sh + 1
    Wo = (xp.shape[3] - kw) // sw + 1
    if Ho < 1 or Wo < 1:
        raise ValueError("empty output")
    return xp, Ho, Wo


def relu_forward(x):
    return np.maximum(x, 0), x


def relu_backward(dout, cache):
    return dout * (cache > 0)


def maxpool2d_forward(x, kernel_size, stride=None, padding=0):
    k = _hw(kernel_size)
    s = k if stride is None else _hw(stride)
    p = _hw(padding)
    xp, Ho, Wo = _windows(x, k, s, p, -np.inf)
    out = np.zeros(x.shape[:2] + (Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = xp[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]].max(axis=(2, 3))
    return out, (x, k, s, p, out)


def maxpool2d_backward(dout, cache):
    x, k, s, p, out = cache
    xp, Ho, Wo = _windows(x, k, s, p, -np.inf)
    dxp = np.zeros(xp.shape)
    for i in range(Ho):
        for j in range(Wo):
            win = xp[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]]
            mask = win == out[:, :, i, j][:, :, None, None]  # where the max is
            dxp[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]] += mask * dout[:, :, i, j][:, :, None, None]
    return dxp[:, :, p[0]:p[0] + x.shape[2], p[1]:p[1] + x.shape[3]]


def avgpool2d_forward(x, kernel_size, stride=None, padding=0):
    k = _hw(kernel_size)
    s = k if stride is None else _hw(stride)
    p = _hw(padding)
    xp, Ho, Wo = _windows(x, k, s, p, 0.0)
    out = np.zeros(x.shape[:2] + (Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = xp[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]].mean(axis=(2, 3))
    return out, (x.shape, k, s, p)


def avgpool2d_backward(dout, cache):
    shape, k, s, p = cache
    dxp = np.zeros((shape[0], shape[1], shape[2] + 2 * p[0], shape[3] + 2 * p[1]))
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            dxp[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]] += dout[:, :, i, j][:, :, None, None] / (k[0] * k[1])
    return dxp[:, :, p[0]:p[0] + shape[2], p[1]:p[1] + shape[3]]


def global_avg_pool_forward(x):
    return x.mean(axis=(2, 3)), x.shape


def global_avg_pool_backward(dout, cache):
    N, C, H, W = cache
    return np.ones(cache) * dout[:, :, None, None] / (H * W)


def flatten_forward(x):
    return x.reshape(len(x), -1), x.shape


def flatten_backward(dout, cache):
    return dout.reshape(cache)


def linear_forward(x, w, b):
    return x.dot(w.T) + b, (x, w)


def linear_backward(dout, cache):
    x, w = cache
    return dout.dot(w), dout.T.dot(x), dout.sum(0)


def softmax_cross_entropy(logits, labels):
    N = len(logits)
    e = np.exp(logits)
    probs = e / e.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(probs[np.arange(N), labels]))
    d = probs.copy()
    d[np.arange(N), labels] -= 1
    return loss, d / N


def cnn_loss_and_grads(x, y, params, head="gap"):
    h, c1 = conv2d_forward(x, params["W1"], params["b1"], padding=1)
    h, r1 = relu_forward(h)
    h, m1 = maxpool2d_forward(h, 2)
    h, c2 = conv2d_forward(h, params["W2"], params["b2"], padding=1)
    h, r2 = relu_forward(h)
    if head == "gap":
        f, hc = global_avg_pool_forward(h)
    else:
        f, hc = flatten_forward(h)
    s, lc = linear_forward(f, params["W3"], params["b3"])
    loss, ds = softmax_cross_entropy(s, y)
    grads = {}
    df, grads["W3"], grads["b3"] = linear_backward(ds, lc)
    dh = global_avg_pool_backward(df, hc) if head == "gap" else flatten_backward(df, hc)
    dh, grads["W2"], grads["b2"] = conv2d_backward(relu_backward(dh, r2), c2)
    dh = relu_backward(maxpool2d_backward(dh, m1), r1)
    _, grads["W1"], grads["b1"] = conv2d_backward(dh, c1)
    return loss, grads
