"""One value per channel is not refused in training

With a single value per channel (N*H*W == 1) the batch variance is 0 and the unbiased
variance m/(m - 1) divides by zero: PyTorch raises a ValueError, and so must
batchnorm2d_forward in training mode. See §1 of the handout.
"""

import numpy as np


def batchnorm2d_forward(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5):
    count = x.shape[0] * x.shape[2] * x.shape[3]
    if training:
        mean = x.mean(axis=(0, 2, 3))
        var = x.var(axis=(0, 2, 3))
        new_mean = (1 - momentum) * running_mean + momentum * mean
        with np.errstate(divide="ignore", invalid="ignore"):
            new_var = (1 - momentum) * running_var + momentum * var * count / max(count - 1, 0)
    else:
        mean, var = running_mean, running_var
        new_mean, new_var = running_mean.copy(), running_var.copy()
    std = np.sqrt(var + eps)
    x_hat = (x - mean[None, :, None, None]) / std[None, :, None, None]
    out = gamma[None, :, None, None] * x_hat + beta[None, :, None, None]
    return out, new_mean, new_var, (x_hat, gamma.copy(), std, training)
