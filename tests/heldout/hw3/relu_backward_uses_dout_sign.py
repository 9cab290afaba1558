"""relu_backward masks with dout > 0 instead of x > 0"""
# ruff: noqa: F821, F811
# right:


def relu_backward(dout, cache):
    return dout * (dout > 0)
