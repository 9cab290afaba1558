"""Pooling accepts padding larger than half the kernel

PyTorch refuses a pooling layer whose padding exceeds half the kernel (2*padding > kernel_size):
some windows would then hold only padding. Such settings, and an empty output, must raise
ValueError. See §2 of the handout.
"""


def _pool_setup(x_shape, kernel_size, stride, padding):
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride")
    ph, pw = _pair(padding, "padding")
    h, w = x_shape[2], x_shape[3]
    h_out, w_out = max((h + 2 * ph - kh) // sh + 1, 1), max((w + 2 * pw - kw) // sw + 1, 1)
    return (kh, kw), (sh, sw), (ph, pw), (h_out, w_out)


# Both forwards reach the bug through _pool_setup, unchanged otherwise: they are redefined so
# that the grader tries this signature when one of them fails.
_maxpool2d_forward, _avgpool2d_forward = maxpool2d_forward, avgpool2d_forward


def maxpool2d_forward(x, kernel_size, stride=None, padding=0):
    return _maxpool2d_forward(x, kernel_size, stride, padding)


def avgpool2d_forward(x, kernel_size, stride=None, padding=0):
    return _avgpool2d_forward(x, kernel_size, stride, padding)
