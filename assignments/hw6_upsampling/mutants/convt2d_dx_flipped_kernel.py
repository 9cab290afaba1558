"""dx computed with the flipped kernel

The gradient of a transposed convolution with respect to its input is a plain strided,
dilated *correlation* of dout with w, no flip: input (i, j) gathers dout at the very positions
i*sh + a*dh - ph, j*sw + e*dw - pw it scattered tap (a, e) onto, times w[c, o, a, e]. The flip
belongs to the other direction (writing the forward as a correlation of the zero-inserted
input). See §3 of the handout.
"""

_solution_backward = conv_transpose2d_backward


def conv_transpose2d_backward(dout, cache):
    _, dw, db = _solution_backward(dout, cache)
    flipped = (cache[0], cache[1][:, :, ::-1, ::-1]) + tuple(cache[2:])
    dx, _, _ = _solution_backward(dout, flipped)
    return dx, dw, db
