"""BatchNorm backward treats the batch mean and variance as constants

In training the batch mean and variance are functions of x, so dx has two extra terms:
dx = (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)) / sqrt(var + eps). Only in eval
mode (running statistics) is dx simply gamma * dout / sqrt(var + eps). See §2 of the handout.
"""


def batchnorm2d_backward(dout, cache):
    x_hat, gamma, std, training = cache
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3))
    dx = dout * gamma[None, :, None, None] / std[None, :, None, None]
    return dx, dgamma, dbeta
