"""Eval mode normalizes with the batch statistics

In eval mode BatchNorm must use the running mean and variance, so that a sample's output does
not depend on the rest of its batch; only training uses the batch's own statistics. See §1 of
the handout.
"""

import numpy as np


def batchnorm2d_forward(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5):
    count = x.shape[0] * x.shape[2] * x.shape[3]
    if training and count <= 1:
        raise ValueError("expected more than 1 value per channel when training")
    mean = x.mean(axis=(0, 2, 3))
    var = x.var(axis=(0, 2, 3))
    if training:
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var * count / (count - 1)
    else:
        new_mean, new_var = running_mean.copy(), running_var.copy()
    std = np.sqrt(var + eps)
    x_hat = (x - mean[None, :, None, None]) / std[None, :, None, None]
    out = gamma[None, :, None, None] * x_hat + beta[None, :, None, None]
    return out, new_mean, new_var, (x_hat, gamma.copy(), std, True)
