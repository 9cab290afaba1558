"""Linear weight reshaped to (in, out) instead of transposed

w is (out_features, in_features); out = x @ w.T + b. ``w.reshape(in, out)`` has the right shape
but scrambles the weights: reshape is not a transpose. See §5 of the handout.
"""


def linear_forward(x, w, b):
    return x @ w.reshape(w.shape[1], w.shape[0]) + b, (x.copy(), w.copy())


def linear_backward(dout, cache):
    x, w = cache
    w_in_out = w.reshape(w.shape[1], w.shape[0])
    return dout @ w_in_out.T, (x.T @ dout).reshape(w.shape), dout.sum(axis=0)
