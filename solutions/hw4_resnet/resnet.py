"""hw4 "Residual networks", Part 1: BatchNorm and a ResNet basic block, forward and backward, in NumPy.

Conventions (the same as ``torch.nn``):

- Feature maps are (N, C, H, W); a convolution weight is (C_out, C_in, KH, KW).
- Every function takes float64 arrays and returns float64 arrays, and never modifies its
  inputs: running statistics are *returned* (new arrays), never updated in place.
- ``params`` dicts are keyed exactly like the PyTorch module's ``state_dict()`` (§3 of the
  handout); gradient dicts like its ``named_parameters()``.
- This file is NumPy only (``models.py`` is where PyTorch goes).

Each ``*_forward`` returns a ``cache`` (anything you like: the grader hands it back, untouched,
to the matching ``*_backward``).

``layers.py`` (shipped with the assignment, not graded) provides a working convolution and ReLU:
``conv2d_forward(x, w, b=None, stride=1, padding=0) -> (out, cache)``,
``conv2d_backward(dout, cache) -> (dx, dw, db)``, ``relu_forward(x) -> (out, cache)`` and
``relu_backward(dout, cache) -> dx``.
"""

from __future__ import annotations

import numpy as np
from layers import conv2d_backward, conv2d_forward, relu_backward, relu_forward  # noqa: F401

BN_MOMENTUM = 0.1
BN_EPS = 1e-5


# ---------------------------------------------------------------- §1-§2 BatchNorm


def batchnorm2d_forward(
    x: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    running_mean: np.ndarray,
    running_var: np.ndarray,
    training: bool = True,
    momentum: float = BN_MOMENTUM,
    eps: float = BN_EPS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, object]:
    """Forward pass of 2D batch normalization, as ``torch.nn.BatchNorm2d`` (§1 of the handout).

    Inputs:
    - x: (N, C, H, W)
    - gamma, beta: (C,), the learned scale and shift
    - running_mean, running_var: (C,), the running statistics (not modified)
    - training: True normalizes with the batch statistics over (N, H, W) (mean and *biased*
      variance) and updates the running statistics; False normalizes with the running ones
    - momentum: new_running = (1 - momentum) * running + momentum * batch_statistic, where the
      running variance is updated with the *unbiased* batch variance (divided by N*H*W - 1)
    - eps: added to the variance inside the square root

    Returns a tuple of:
    - out: (N, C, H, W), gamma * (x - mean) / sqrt(var + eps) + beta (per channel)
    - running_mean, running_var: (C,) each, new arrays (updated in training, copies in eval)
    - cache: whatever batchnorm2d_backward needs

    Raises ValueError in training mode when there is only one value per channel (N*H*W == 1).
    """
    ### BEGIN SOLUTION
    count = x.shape[0] * x.shape[2] * x.shape[3]
    if training:
        if count <= 1:
            raise ValueError(f"expected more than 1 value per channel when training, got input of shape {x.shape}")
        mean = x.mean(axis=(0, 2, 3))
        var = x.var(axis=(0, 2, 3))
        new_mean = (1 - momentum) * running_mean + momentum * mean
        new_var = (1 - momentum) * running_var + momentum * var * count / (count - 1)
    else:
        mean, var = running_mean, running_var
        new_mean, new_var = running_mean.copy(), running_var.copy()
    std = np.sqrt(var + eps)
    x_hat = (x - mean[None, :, None, None]) / std[None, :, None, None]
    out = gamma[None, :, None, None] * x_hat + beta[None, :, None, None]
    return out, new_mean, new_var, (x_hat, gamma.copy(), std, training)
    ### END SOLUTION


def batchnorm2d_backward(dout: np.ndarray, cache: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of 2D batch normalization, in the mode of its forward (§2 of the handout).

    Inputs:
    - dout: (N, C, H, W), the upstream gradient dL/dout
    - cache: what batchnorm2d_forward returned

    Returns a tuple of:
    - dx: (N, C, H, W); in training the batch mean and variance depend on x (their gradient
      flows too), in eval the running statistics are constants
    - dgamma, dbeta: (C,) each, summed over N, H and W
    """
    ### BEGIN SOLUTION
    x_hat, gamma, std, training = cache
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3))
    dx_hat = dout * gamma[None, :, None, None]
    if training:
        mean_dx_hat = dx_hat.mean(axis=(0, 2, 3), keepdims=True)
        mean_dx_hat_x_hat = (dx_hat * x_hat).mean(axis=(0, 2, 3), keepdims=True)
        dx_hat = dx_hat - mean_dx_hat - x_hat * mean_dx_hat_x_hat
    dx = dx_hat / std[None, :, None, None]
    return dx, dgamma, dbeta
    ### END SOLUTION


# ---------------------------------------------------------------- §3-§4 the basic block

BN_NAMES = ("bn1", "bn2", "shortcut.1")
SHORTCUT_KEYS = ("shortcut.0.weight", "shortcut.1.weight", "shortcut.1.bias", "shortcut.1.running_mean", "shortcut.1.running_var")


def residual_block_forward(
    x: np.ndarray, params: dict[str, np.ndarray], stride: int = 1, training: bool = True
) -> tuple[np.ndarray, dict[str, np.ndarray], object]:
    """Forward pass of torchvision's BasicBlock (§3 of the handout).

    out = ReLU(BN2(conv2(ReLU(BN1(conv1(x))))) + shortcut(x)), where conv1 is 3x3 with
    ``stride`` and padding 1, conv2 is 3x3 with stride 1 and padding 1 (no bias on any conv),
    and shortcut(x) is x itself when stride == 1 and C_in == C_out, else
    BN_s(conv1x1(x, stride)) (a projection). BatchNorms use momentum 0.1 and eps 1e-5.

    Inputs:
    - x: (N, C_in, H, W)
    - params: dict keyed like the PyTorch block's state_dict():
      conv1.weight (C_out, C_in, 3, 3); bn1.weight, bn1.bias, bn1.running_mean, bn1.running_var (C_out,);
      conv2.weight (C_out, C_out, 3, 3); bn2.* as bn1; with a projection also
      shortcut.0.weight (C_out, C_in, 1, 1) and shortcut.1.* as bn1. It may also hold the
      *.num_batches_tracked entries of a real state_dict() (0-d integer arrays).
    - stride: the stride of conv1 and of the projection
    - training: the mode of every BatchNorm in the block

    Returns a tuple of:
    - out: (N, C_out, H_out, W_out) with H_out = floor((H - 1) / stride) + 1 (W likewise)
    - state: the block's new buffers, keyed like params: every *.running_mean and
      *.running_var, and, when params holds it, *.num_batches_tracked (+1 in training, as an
      integer: a 0-d integer array, a NumPy integer or an int)
    - cache: whatever residual_block_backward needs

    Raises ValueError, naming the shortcut.* keys, if a projection is needed but params has
    none, or if params has one but the block needs none.
    """
    ### BEGIN SOLUTION
    c_out, c_in = params["conv1.weight"].shape[:2]
    needs_projection = stride != 1 or c_in != c_out
    has_projection = "shortcut.0.weight" in params
    if needs_projection != has_projection:
        state = "needs" if needs_projection else "has no use for"
        raise ValueError(
            f"a block with stride {stride}, {c_in} -> {c_out} channels {state} a projection shortcut "
            f"({', '.join(SHORTCUT_KEYS)})"
        )
    state: dict[str, np.ndarray] = {}

    def batchnorm(h: np.ndarray, name: str) -> tuple[np.ndarray, object]:
        out, mean, var, cache = batchnorm2d_forward(
            h, params[f"{name}.weight"], params[f"{name}.bias"], params[f"{name}.running_mean"], params[f"{name}.running_var"], training
        )
        state[f"{name}.running_mean"], state[f"{name}.running_var"] = mean, var
        if f"{name}.num_batches_tracked" in params:
            state[f"{name}.num_batches_tracked"] = np.asarray(params[f"{name}.num_batches_tracked"]) + int(training)
        return out, cache

    h, conv1_cache = conv2d_forward(x, params["conv1.weight"], stride=stride, padding=1)
    h, bn1_cache = batchnorm(h, "bn1")
    h, relu1_cache = relu_forward(h)
    h, conv2_cache = conv2d_forward(h, params["conv2.weight"], padding=1)
    h, bn2_cache = batchnorm(h, "bn2")
    shortcut_caches = None
    if has_projection:
        skip, conv_s_cache = conv2d_forward(x, params["shortcut.0.weight"], stride=stride)
        skip, bn_s_cache = batchnorm(skip, "shortcut.1")
        shortcut_caches = (conv_s_cache, bn_s_cache)
    else:
        skip = x
    out, relu2_cache = relu_forward(h + skip)
    cache = (conv1_cache, bn1_cache, relu1_cache, conv2_cache, bn2_cache, shortcut_caches, relu2_cache)
    return out, state, cache
    ### END SOLUTION


def residual_block_backward(dout: np.ndarray, cache: object) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Backward pass of the basic block (§4 of the handout).

    Inputs:
    - dout: (N, C_out, H_out, W_out), the upstream gradient dL/dout
    - cache: what residual_block_forward returned

    Returns a tuple of:
    - dx: (N, C_in, H, W): the main path's gradient plus the shortcut's
    - grads: dict keyed like the block's named_parameters(): conv1.weight, bn1.weight,
      bn1.bias, conv2.weight, bn2.weight, bn2.bias and, with a projection,
      shortcut.0.weight, shortcut.1.weight, shortcut.1.bias
    """
    ### BEGIN SOLUTION
    conv1_cache, bn1_cache, relu1_cache, conv2_cache, bn2_cache, shortcut_caches, relu2_cache = cache
    grads: dict[str, np.ndarray] = {}
    d_sum = relu_backward(dout, relu2_cache)
    dh, grads["bn2.weight"], grads["bn2.bias"] = batchnorm2d_backward(d_sum, bn2_cache)
    dh, grads["conv2.weight"], _ = conv2d_backward(dh, conv2_cache)
    dh = relu_backward(dh, relu1_cache)
    dh, grads["bn1.weight"], grads["bn1.bias"] = batchnorm2d_backward(dh, bn1_cache)
    dx, grads["conv1.weight"], _ = conv2d_backward(dh, conv1_cache)
    if shortcut_caches is None:
        dx = dx + d_sum
    else:
        conv_s_cache, bn_s_cache = shortcut_caches
        ds, grads["shortcut.1.weight"], grads["shortcut.1.bias"] = batchnorm2d_backward(d_sum, bn_s_cache)
        ds, grads["shortcut.0.weight"], _ = conv2d_backward(ds, conv_s_cache)
        dx = dx + ds
    order = ["conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias"]
    order += ["shortcut.0.weight", "shortcut.1.weight", "shortcut.1.bias"] if shortcut_caches is not None else []
    return dx, {name: grads[name] for name in order}
    ### END SOLUTION
