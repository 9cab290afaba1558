"""Average pooling divides by the number of real entries (padding excluded)

PyTorch's default (count_include_pad=True) averages over all kh*kw positions of the window,
padding zeros included. Dividing a border window by its count of real entries is the other
convention. See §4 of the handout.
"""


def avgpool2d_forward(x, kernel_size, stride=None, padding=0):
    (kh, kw), (sh, sw), (ph, pw), _ = _pool_setup(x.shape, kernel_size, stride, padding)
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ones = np.pad(np.ones(x.shape[2:]), ((ph, ph), (pw, pw)))
    sums = sliding_window_view(x_pad, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw].sum(axis=(-2, -1))
    counts = sliding_window_view(ones, (kh, kw))[::sh, ::sw].sum(axis=(-2, -1))
    return sums / counts, (x.shape, (kh, kw), (sh, sw), (ph, pw), counts)


def avgpool2d_backward(dout, cache):
    x_shape, (kh, kw), (sh, sw), (ph, pw), counts = cache
    n, c, h, w = x_shape
    h_out, w_out = dout.shape[2:]
    share = dout / counts
    dx_pad = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    for a in range(kh):
        for e in range(kw):
            dx_pad[:, :, a : a + sh * (h_out - 1) + 1 : sh, e : e + sw * (w_out - 1) + 1 : sw] += share
    return dx_pad[:, :, ph : ph + h, pw : pw + w].copy()
