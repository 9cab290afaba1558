"""linear_backward computes dW as x.T @ dout reshaped to (out, in) instead of transposed"""
# ruff: noqa: F821, F811
# right: cnn_head_w3_transposed
_linear_backward = linear_backward


def linear_backward(dout, cache):
    dx, dw, db = _linear_backward(dout, cache)
    return dx, dw.T if dw.shape[0] == dw.shape[1] else dw.T.reshape(dw.shape), db
