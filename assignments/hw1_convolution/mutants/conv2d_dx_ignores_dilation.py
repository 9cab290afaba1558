"""dx scattered without the dilation

Kernel tap (a, e) read the input at row i*sh + a*dh, column j*sw + e*dw, so its gradient must
go back to that same place; starting the scatter at (a, e) is only right for dilation 1.
See §4 of the handout.
"""


def conv2d_backward(dout, cache):
    x, w, (sh, sw), (ph, pw), (dh, dw), windows = cache
    _, _, h_out, w_out = dout.shape
    kh, kw = w.shape[2:]
    db = dout.sum(axis=(0, 2, 3))
    dw_ = np.tensordot(dout, windows, axes=([0, 2, 3], [0, 2, 3]))  # (F, C, KH, KW)
    dx_pad = np.zeros((x.shape[0], x.shape[1], x.shape[2] + 2 * ph, x.shape[3] + 2 * pw))
    for a in range(kh):
        for e in range(kw):
            rows = slice(a, a + sh * (h_out - 1) + 1, sh)
            cols = slice(e, e + sw * (w_out - 1) + 1, sw)
            dx_pad[:, :, rows, cols] += np.einsum("nfij,fc->ncij", dout, w[:, :, a, e])
    dx = dx_pad[:, :, ph : ph + x.shape[2], pw : pw + x.shape[3]]
    return dx, dw_, db
