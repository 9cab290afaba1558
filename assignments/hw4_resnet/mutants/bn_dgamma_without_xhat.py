"""dgamma sums dout alone, without the normalized input

out = gamma * x_hat + beta, so gamma's gradient is dout times what gamma multiplies:
dgamma[c] = sum over n, h, w of dout * x_hat. Summing dout alone gives dbeta's value, not
dgamma's. See §2 of the handout.
"""

# outputs: dgamma


def batchnorm2d_backward(dout, cache):
    x_hat, gamma, std, training = cache
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = dout.sum(axis=(0, 2, 3))
    dx_hat = dout * gamma[None, :, None, None]
    if training:
        dx_hat = dx_hat - dx_hat.mean(axis=(0, 2, 3), keepdims=True) - x_hat * (dx_hat * x_hat).mean(axis=(0, 2, 3), keepdims=True)
    return dx_hat / std[None, :, None, None], dgamma, dbeta
