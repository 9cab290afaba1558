"""dw returned in a convolution's weight layout

dw must have the shape of w, which for a transposed convolution is (C_in, C_out, KH, KW): input
channels first. Building it as (C_out, C_in, KH, KW), a convolution's layout, gives a wrong
shape when C_in != C_out and exchanges the channels when they are equal. See §2 and §3 of the
handout.
"""

# outputs: dw
_solution_backward = conv_transpose2d_backward


def conv_transpose2d_backward(dout, cache):
    dx, dw, db = _solution_backward(dout, cache)
    return dx, dw.transpose(1, 0, 2, 3), db
