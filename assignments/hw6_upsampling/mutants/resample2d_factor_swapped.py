"""The (h, w) factor pair read as (w, h)

In 2D every pair is (height, width): factor=(2, 3) resamples the rows by 2 and the columns by 3.
Unpacking it as `fw, fh = factor` exchanges the two, which only shows when they differ. See §1
of the handout.
"""

# per function


def upsample2d(x, factor):
    fw, fh = _pair(factor, "factor")
    n, c, h, w = x.shape
    out = np.zeros((n, c, (h - 1) * fh + 1, (w - 1) * fw + 1), dtype=x.dtype)
    out[:, :, ::fh, ::fw] = x
    return out


def upsample2d_backward(dout, factor):
    fw, fh = _pair(factor, "factor")
    return dout[:, :, ::fh, ::fw].copy()


def downsample2d(x, factor):
    fw, fh = _pair(factor, "factor")
    return x[:, :, ::fh, ::fw].copy()


def downsample2d_backward(dout, factor, size):
    fw, fh = _pair(factor, "factor")
    n, c = dout.shape[:2]
    dx = np.zeros((n, c, size[0], size[1]), dtype=dout.dtype)
    dx[:, :, ::fh, ::fw] = dout
    return dx
