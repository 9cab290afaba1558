"""Max-pooling output size rounded up (a partial last window is kept)

The output size uses floor, as PyTorch's default ceil_mode=False: a last window that would hang
past the (padded) input is dropped, not pooled over the entries that exist. On a 5x5 map a 2x2
pool gives 2x2, not 3x3. See §2 of the handout.
"""


def maxpool2d_forward(x, kernel_size, stride=None, padding=0):
    (kh, kw), (sh, sw), (ph, pw), _ = _pool_setup(x.shape, kernel_size, stride, padding)
    n, c, h, w = x.shape
    h_out = -(-(h + 2 * ph - kh) // sh) + 1
    w_out = -(-(w + 2 * pw - kw) // sw) + 1
    extra_h = (h_out - 1) * sh + kh - (h + 2 * ph)
    extra_w = (w_out - 1) * sw + kw - (w + 2 * pw)
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph + extra_h), (pw, pw + extra_w)), constant_values=-np.inf)
    windows = sliding_window_view(x_pad, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    flat = windows.reshape(n, c, h_out, w_out, kh * kw)
    first_max = np.argmax(flat, axis=-1)
    out = np.take_along_axis(flat, first_max[..., None], axis=-1)[..., 0]
    real = np.pad(np.ones((h, w), dtype=bool), ((ph, ph + extra_h), (pw, pw + extra_w)))
    real_windows = sliding_window_view(real, (kh, kw))[::sh, ::sw].reshape(h_out, w_out, kh * kw)
    first_max = np.where(np.isneginf(out), np.argmax(real_windows, axis=-1), first_max)
    return out, (x.shape, (kh, kw), (sh, sw), (ph, pw), first_max)


def maxpool2d_backward(dout, cache):
    x_shape, (kh, kw), (sh, sw), (ph, pw), first_max = cache
    n, c, h, w = x_shape
    h_out, w_out = first_max.shape[2:]
    tap_row, tap_col = np.divmod(first_max, kw)
    rows = np.arange(h_out)[:, None] * sh + tap_row
    cols = np.arange(w_out)[None, :] * sw + tap_col
    dx_pad = np.zeros((n, c, (h_out - 1) * sh + kh, (w_out - 1) * sw + kw))
    np.add.at(dx_pad, (np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None], rows, cols), dout)
    return dx_pad[:, :, ph : ph + h, pw : pw + w].copy()
