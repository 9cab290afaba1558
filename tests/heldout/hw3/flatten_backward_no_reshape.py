"""flatten_backward returns dout as it is (forgets to reshape it back)"""
# ruff: noqa: F821, F811
# right:


def flatten_backward(dout, cache):
    return dout
