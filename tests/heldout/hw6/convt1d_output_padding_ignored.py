"""conv_transpose1d_forward ignores output_padding"""
# ruff: noqa: F821, F811
# right: convt2d_output_padding_ignored
_conv_transpose1d_forward = conv_transpose1d_forward


def conv_transpose1d_forward(x, w, b, stride=1, padding=0, output_padding=0, dilation=1):
    if output_padding >= stride and output_padding >= dilation:
        raise ValueError("output_padding must be smaller than either stride or dilation")
    return _conv_transpose1d_forward(x, w, b, stride=stride, padding=padding, output_padding=0, dilation=dilation)
