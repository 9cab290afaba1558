"""hw3 -- I'm used to TensorFlow, so my feature vectors are channels-last."""

import numpy as np
from layers import conv2d_backward, conv2d_forward


def _pair(v):
    if isinstance(v, int):
        return v, v
    return v[0], v[1]


def relu_forward(x):
    out = x.copy()
    out[out < 0] = 0
    return out, x


def relu_backward(dout, cache):
    dx = dout.copy()
    dx[cache <= 0] = 0
    return dx


def _pool_windows(x, kernel_size, stride, padding, fill):
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride if stride is not None else kernel_size)
    ph, pw = _pair(padding)
    if 2 * ph > kh or 2 * pw > kw:
        raise ValueError("padding must be at most half the kernel")
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=fill)
    Ho, Wo = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    if Ho < 1 or Wo < 1:
        raise ValueError("empty output")
    wins = np.stack(
        [np.stack([xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] for j in range(Wo)], axis=2) for i in range(Ho)],
        axis=2,
    )  # (N, C, Ho, Wo, kh, kw)
    return wins, (kh, kw, sh, sw, ph, pw)


def maxpool2d_forward(x, kernel_size, stride=None, padding=0):
    wins, geo = _pool_windows(x, kernel_size, stride, padding, -np.inf)
    flat = wins.reshape(wins.shape[:4] + (-1,))
    idx = flat.argmax(axis=-1)
    return flat.max(axis=-1), (x.shape, geo, idx)


def maxpool2d_backward(dout, cache):
    shape, (kh, kw, sh, sw, ph, pw), idx = cache
    dxp = np.zeros((shape[0], shape[1], shape[2] + 2 * ph, shape[3] + 2 * pw))
    N, C, Ho, Wo = dout.shape
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    a, e = divmod(idx[n, c, i, j], kw)
                    dxp[n, c, i * sh + a, j * sw + e] += dout[n, c, i, j]
    return dxp[:, :, ph:ph + shape[2], pw:pw + shape[3]]


def avgpool2d_forward(x, kernel_size, stride=None, padding=0):
    wins, geo = _pool_windows(x, kernel_size, stride, padding, 0.0)
    return wins.mean(axis=(-2, -1)), (x.shape, geo)


def avgpool2d_backward(dout, cache):
    shape, (kh, kw, sh, sw, ph, pw) = cache
    dxp = np.zeros((shape[0], shape[1], shape[2] + 2 * ph, shape[3] + 2 * pw))
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            dxp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw] += dout[:, :, i:i + 1, j:j + 1] / (kh * kw)
    return dxp[:, :, ph:ph + shape[2], pw:pw + shape[3]]


def global_avg_pool_forward(x):
    return x.mean(axis=(2, 3)), x.shape


def global_avg_pool_backward(dout, cache):
    # every position of the channel gets the channel's gradient
    return np.broadcast_to(dout[:, :, None, None], cache).copy()


def flatten_forward(x):
    if x.ndim == 4:
        x = x.transpose(0, 2, 3, 1)  # NHWC, like Keras' Flatten
    return x.reshape(x.shape[0], -1), x.shape


def flatten_backward(dout, cache):
    dx = dout.reshape(cache)
    if dx.ndim == 4:
        dx = dx.transpose(0, 3, 1, 2)
    return dx


def linear_forward(x, w, b):
    return x @ w.T + b, (x, w)


def linear_backward(dout, cache):
    x, w = cache
    return dout @ w, dout.T @ x, dout.sum(axis=0)


def softmax_cross_entropy(logits, labels):
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    n = logits.shape[0]
    loss = -np.log(p[range(n), labels]).mean()
    p[range(n), labels] -= 1
    return float(loss), p / n


def cnn_loss_and_grads(x, y, params, head="gap"):
    a, conv1 = conv2d_forward(x, params["W1"], params["b1"], padding=1)
    a, relu1 = relu_forward(a)
    a, pool1 = maxpool2d_forward(a, 2)
    a, conv2 = conv2d_forward(a, params["W2"], params["b2"], padding=1)
    a, relu2 = relu_forward(a)
    if head == "gap":
        f, hc = global_avg_pool_forward(a)
    else:
        f, hc = flatten_forward(a)
    s, lc = linear_forward(f, params["W3"], params["b3"])
    loss, ds = softmax_cross_entropy(s, y)
    df, dW3, db3 = linear_backward(ds, lc)
    da = global_avg_pool_backward(df, hc) if head == "gap" else flatten_backward(df, hc)
    da, dW2, db2 = conv2d_backward(relu_backward(da, relu2), conv2)
    da = relu_backward(maxpool2d_backward(da, pool1), relu1)
    _, dW1, db1 = conv2d_backward(da, conv1)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "W3": dW3, "b3": db3}
