"""dx scattered without the dilation

Kernel tap (a, e) read the input at row i*sh + a*dh, column j*sw + e*dw, so its gradient must
go back to that same place; starting the scatter at (a, e) is only right for dilation 1.
See §4 of the handout.
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
            rows = slice(a, a + sh * (h_out - 1) + 1, sh)
            cols_ = slice(e, e + sw * (w_out - 1) + 1, sw)
            dx_pad[:, :, rows, cols_] += dcols[:, :, :, :, a, e].transpose(0, 3, 1, 2)
    dx = dx_pad[:, :, ph : ph + h, pw : pw + wd]
    return dx, dw_, db
