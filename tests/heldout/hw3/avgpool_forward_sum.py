"""avgpool2d_forward sums the window instead of averaging it (backward is right)"""
# ruff: noqa: F821, F811
# right:
_avgpool2d_forward = avgpool2d_forward


def avgpool2d_forward(x, kernel_size, stride=None, padding=0):
    out, cache = _avgpool2d_forward(x, kernel_size, stride=stride, padding=padding)
    kh, kw = _pair(kernel_size)
    return out * (kh * kw), cache
