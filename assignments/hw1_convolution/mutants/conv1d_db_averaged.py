"""conv1d_backward averages db instead of summing it

The bias b[f] is added at every output position of channel f in every example, so its gradient
is dout summed over N and L': db[f] = sum over n, t of dout[n, f, t]. Dividing that sum, by N*L'
(a mean over everything) or by N alone (a mean over the batch), scales db down. If the loss is
a mean, that division already happened upstream, in dout. See §4 of the handout.
"""

# variants: everything, batch
# outputs: db
# siblings: conv2d_db_mean
_VARIANT = "everything"


def conv1d_backward(dout, cache):
    dx, dw, db = conv2d_backward(dout[:, :, None, :], cache)
    divisor = dout.shape[0] * dout.shape[2] if _VARIANT == "everything" else dout.shape[0]
    return dx[:, :, 0, :], dw[:, :, 0, :], db / divisor
