"""dx scattered without the stride

Output (i, j) read the input at rows i*sh + a*dh, so its gradient goes back to those rows;
scattering dout to consecutive rows (step 1) is only right for stride 1. See §4 of the handout.
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
            rows = slice(a * dh, a * dh + h_out)
            cols = slice(e * dw, e * dw + w_out)
            dx_pad[:, :, rows, cols] += np.einsum("nfij,fc->ncij", dout, w[:, :, a, e])
    dx = dx_pad[:, :, ph : ph + x.shape[2], pw : pw + x.shape[3]]
    return dx, dw_, db
