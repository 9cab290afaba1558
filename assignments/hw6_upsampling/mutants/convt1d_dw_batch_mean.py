"""dw averaged over the batch

Every example's product x[n, c, i] * w[c, o, k] adds to the output, so dL/dw is the *sum* of
every example's contribution, as autograd computes it; dividing by N is a choice of the loss
(a mean), already made upstream in dout. See §3 of the handout.
"""


def conv_transpose1d_backward(dout, cache):
    dx, dw, db = conv_transpose2d_backward(dout[:, :, None, :], cache)
    return dx[:, :, 0, :], dw[:, :, 0, :] / dout.shape[0], db
