"""Max-pooling gradient sent to the last maximum of a tie

The tie rule is the FIRST maximum in row-major order of the window (PyTorch's rule): a
comparison ``>=`` while scanning the window, instead of ``>``, picks the last one. See §3 of
the handout.
"""


def maxpool2d_forward(x, kernel_size, stride=None, padding=0):
    (kh, kw), (sh, sw), (ph, pw), (h_out, w_out) = _pool_setup(x.shape, kernel_size, stride, padding)
    n, c = x.shape[:2]
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    windows = sliding_window_view(x_pad, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    flat = windows.reshape(n, c, h_out, w_out, kh * kw)
    last_max = kh * kw - 1 - np.argmax(flat[..., ::-1], axis=-1)
    out = np.take_along_axis(flat, last_max[..., None], axis=-1)[..., 0]
    # the scan runs over the real entries only: an all -inf window ends at its last real entry
    real = np.pad(np.ones(x.shape[2:], dtype=bool), ((ph, ph), (pw, pw)))
    real_windows = sliding_window_view(real, (kh, kw))[::sh, ::sw].reshape(h_out, w_out, kh * kw)
    last_max = np.where(np.isneginf(out), kh * kw - 1 - np.argmax(real_windows[..., ::-1], axis=-1), last_max)
    return out, (x.shape, (kh, kw), (sh, sw), (ph, pw), last_max)
