"""stride=None treated as stride 1

When no stride is given (stride=None), pooling uses stride = kernel_size, as PyTorch does: a
2x2 max-pool halves the height and the width. Treating None as 1 slides the window one pixel at
a time. See §2 of the handout.
"""


def _pool_setup(x_shape, kernel_size, stride, padding):
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = (1, 1) if stride is None else _pair(stride, "stride")
    ph, pw = _pair(padding, "padding")
    if min(kh, kw, sh, sw) < 1 or min(ph, pw) < 0:
        raise ValueError("invalid pooling settings")
    if 2 * ph > kh or 2 * pw > kw:
        raise ValueError("padding should be at most half of the kernel size")
    h, w = x_shape[2], x_shape[3]
    h_out, w_out = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    if h_out < 1 or w_out < 1:
        raise ValueError("the pooling window does not fit in the padded input")
    return (kh, kw), (sh, sw), (ph, pw), (h_out, w_out)
