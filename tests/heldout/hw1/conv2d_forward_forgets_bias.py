"""conv2d_forward never adds the bias"""
# ruff: noqa: F821, F811
# right: conv1d_no_bias
_conv2d_forward = conv2d_forward


def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    out, cache = _conv2d_forward(x, w, b, stride=stride, padding=padding, dilation=dilation)
    return out - np.asarray(b)[None, :, None, None], cache
