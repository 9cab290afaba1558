"""dx cropped from the corner of the padded gradient

The gradient of the padded input has ph extra rows at the top and pw extra columns at the left;
dx is its centre, dx_pad[ph:ph + H, pw:pw + W], not its top-left H x W block. See §4 of the handout.
"""


def conv2d_backward(dout, cache):
    x_shape, w, (sh, sw), (ph, pw), (dh, dw), cols = cache
    n, c, h, wd = x_shape
    f, _, kh, kw = w.shape
    h_out, w_out = dout.shape[2:]
    dout_rows = dout.transpose(0, 2, 3, 1).reshape(-1, f)  # one row per output position
    db = dout.sum(axis=(0, 2, 3))
    dw_ = (dout_rows.T @ cols).reshape(w.shape)
    dcols = (dout_rows @ w.reshape(f, -1)).reshape(n, h_out, w_out, c, kh, kw)
    dx_pad = np.zeros((n, c, h + 2 * ph, wd + 2 * pw))
    for a in range(kh):  # col2im: scatter-add each kernel tap's gradient onto the input
        for e in range(kw):
            rows = slice(a * dh, a * dh + sh * (h_out - 1) + 1, sh)
            cols_ = slice(e * dw, e * dw + sw * (w_out - 1) + 1, sw)
            dx_pad[:, :, rows, cols_] += dcols[:, :, :, :, a, e].transpose(0, 3, 1, 2)
    dx = dx_pad[:, :, :h, :wd]
    return dx, dw_, db
