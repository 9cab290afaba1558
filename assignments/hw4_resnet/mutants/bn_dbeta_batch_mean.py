"""dbeta averaged over the batch instead of summed

beta[c] is added to every position of channel c in every example, so dbeta sums dout over N, H
and W. Averaging over the batch axis divides it by N (the loss's 1/N, if any, is already inside
dout). See §2 of the handout.
"""

# outputs: dbeta
# siblings: bn_dgamma_batch_mean


def batchnorm2d_backward(dout, cache):
    x_hat, gamma, std, training = cache
    dbeta = dout.sum(axis=(2, 3)).mean(axis=0)
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3))
    dx_hat = dout * gamma[None, :, None, None]
    if training:
        dx_hat = dx_hat - dx_hat.mean(axis=(0, 2, 3), keepdims=True) - x_hat * (dx_hat * x_hat).mean(axis=(0, 2, 3), keepdims=True)
    return dx_hat / std[None, :, None, None], dgamma, dbeta
