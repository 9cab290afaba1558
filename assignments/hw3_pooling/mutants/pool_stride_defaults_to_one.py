"""stride=None treated as stride 1

When no stride is given (stride=None), pooling uses stride = kernel_size, as PyTorch does: a
2x2 max-pool halves the height and the width. Treating None as 1 slides the window one pixel at
a time. See §2 of the handout.
"""

# per function

_maxpool2d_forward, _avgpool2d_forward = maxpool2d_forward, avgpool2d_forward


def maxpool2d_forward(x, kernel_size, stride=None, padding=0):
    if stride is None:
        stride = 1
    return _maxpool2d_forward(x, kernel_size, stride, padding)


def avgpool2d_forward(x, kernel_size, stride=None, padding=0):
    if stride is None:
        stride = 1
    return _avgpool2d_forward(x, kernel_size, stride, padding)
