"""conv1d_forward slides with stride 1 whatever the stride"""
# ruff: noqa: F821, F811
# right:
_conv1d_forward = conv1d_forward


def conv1d_forward(x, w, b, stride=1, padding=0, dilation=1):
    return _conv1d_forward(x, w, b, stride=1, padding=padding, dilation=dilation)
