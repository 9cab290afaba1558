"""conv_transpose2d_forward ignores the dilation"""
# ruff: noqa: F821, F811
# right: convt1d_ignores_dilation
_conv_transpose2d_forward = conv_transpose2d_forward


def conv_transpose2d_forward(x, w, b, stride=1, padding=0, output_padding=0, dilation=1):
    return _conv_transpose2d_forward(x, w, b, stride=stride, padding=padding, output_padding=output_padding, dilation=1)
