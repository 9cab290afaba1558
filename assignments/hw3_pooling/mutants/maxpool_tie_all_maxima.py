"""Max-pooling gradient sent to every maximum of a tie

When several entries of a window tie for the maximum, the whole gradient goes to ONE of them:
the first in row-major order of the window, as PyTorch does. Giving dout to every tied entry
multiplies the gradient. See §3 of the handout.
"""


def maxpool2d_forward(x, kernel_size, stride=None, padding=0):
    (kh, kw), (sh, sw), (ph, pw), (h_out, w_out) = _pool_setup(x.shape, kernel_size, stride, padding)
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    windows = sliding_window_view(x_pad, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    out = windows.max(axis=(-2, -1))
    return out, (x.shape, x_pad, (kh, kw), (sh, sw), (ph, pw), out)


def maxpool2d_backward(dout, cache):
    x_shape, x_pad, (kh, kw), (sh, sw), (ph, pw), out = cache
    n, c, h, w = x_shape
    h_out, w_out = out.shape[2:]
    dx_pad = np.zeros_like(x_pad)
    for i in range(h_out):
        for j in range(w_out):
            window = x_pad[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw]
            mask = window == out[:, :, i, j][:, :, None, None]
            dx_pad[:, :, i * sh : i * sh + kh, j * sw : j * sw + kw] += mask * dout[:, :, i, j][:, :, None, None]
    return dx_pad[:, :, ph : ph + h, pw : pw + w].copy()
