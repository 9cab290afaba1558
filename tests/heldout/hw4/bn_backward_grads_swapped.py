"""batchnorm2d_backward returns (dx, dbeta, dgamma): the two parameter gradients swapped"""
# ruff: noqa: F821, F811
# right:
_batchnorm2d_backward = batchnorm2d_backward


def batchnorm2d_backward(dout, cache):
    dx, dgamma, dbeta = _batchnorm2d_backward(dout, cache)
    return dx, dbeta, dgamma
