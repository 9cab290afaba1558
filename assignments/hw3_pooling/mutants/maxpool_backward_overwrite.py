"""Max-pooling gradient overwritten instead of accumulated

With overlapping windows (stride < kernel_size) one entry can be the maximum of several
windows; it must receive the sum of their gradients. Assigning ``dx[...] = dout[...]`` keeps
only the last window's. See §3 of the handout.
"""


def maxpool2d_backward(dout, cache):
    x_shape, (kh, kw), (sh, sw), (ph, pw), first_max = cache
    n, c, h, w = x_shape
    h_out, w_out = first_max.shape[2:]
    tap_row, tap_col = np.divmod(first_max, kw)
    rows = np.arange(h_out)[:, None] * sh + tap_row
    cols = np.arange(w_out)[None, :] * sw + tap_col
    dx_pad = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    dx_pad[np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None], rows, cols] = dout
    return dx_pad[:, :, ph : ph + h, pw : pw + w].copy()
