"""conv_output_size forgets the + 1 (counts n + 2p - d(k-1) - 1 positions, floor-divided)"""
# ruff: noqa: F821, F811
# right:
_conv_output_size = conv_output_size


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    size = _conv_output_size(n, kernel_size, stride=stride, padding=padding, dilation=dilation)
    return size - 1 if size > 1 else size
