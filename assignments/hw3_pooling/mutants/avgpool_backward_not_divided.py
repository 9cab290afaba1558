"""Average pooling backward forgets the 1/(kh*kw)

Each window's output is its sum divided by kh*kw, so each of its entries receives
dout / (kh*kw), not dout. See §4 of the handout.
"""


def avgpool2d_backward(dout, cache):
    x_shape, (kh, kw), (sh, sw), (ph, pw) = cache
    n, c, h, w = x_shape
    h_out, w_out = dout.shape[2:]
    dx_pad = np.zeros((n, c, h + 2 * ph, w + 2 * pw))
    for a in range(kh):
        for e in range(kw):
            dx_pad[:, :, a : a + sh * (h_out - 1) + 1 : sh, e : e + sw * (w_out - 1) + 1 : sw] += dout
    return dx_pad[:, :, ph : ph + h, pw : pw + w].copy()
