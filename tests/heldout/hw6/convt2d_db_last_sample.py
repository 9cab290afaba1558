"""conv_transpose2d_backward: db from the last example only"""
# ruff: noqa: F821, F811
# right: convt2d_dw_last_sample
_conv_transpose2d_backward = conv_transpose2d_backward


def conv_transpose2d_backward(dout, cache):
    dx, dw, db = _conv_transpose2d_backward(dout, cache)
    return dx, dw, dout[-1].sum(axis=(1, 2))
