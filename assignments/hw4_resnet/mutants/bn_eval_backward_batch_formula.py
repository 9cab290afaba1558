"""BatchNorm eval backward uses the training formula

In eval mode the running mean and variance are constants: dx = gamma * dout / sqrt(var + eps).
Subtracting the batch means of dx_hat and dx_hat * x_hat (the training formula) is only right
when the statistics were computed from the batch. See §2 of the handout.
"""


def batchnorm2d_backward(dout, cache):
    x_hat, gamma, std, training = cache
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3))
    dx_hat = dout * gamma[None, :, None, None]
    dx_hat = dx_hat - dx_hat.mean(axis=(0, 2, 3), keepdims=True) - x_hat * (dx_hat * x_hat).mean(axis=(0, 2, 3), keepdims=True)
    return dx_hat / std[None, :, None, None], dgamma, dbeta
