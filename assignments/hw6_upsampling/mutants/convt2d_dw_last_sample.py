"""dw forgets to sum over the batch (only the last example's gradient is kept)

Every example's products x[n, c, i, j] * w[c, o, a, e] add to the output, so dL/dw is the sum
of every example's contribution. A loop over the batch that assigns dw instead of adding to it
keeps only the last example's. See §3 of the handout.
"""

_solution_backward = conv_transpose2d_backward


def conv_transpose2d_backward(dout, cache):
    dx, _, db = _solution_backward(dout, cache)
    last = (cache[0][-1:],) + tuple(cache[1:])
    _, dw, _ = _solution_backward(dout[-1:], last)
    return dx, dw, db
