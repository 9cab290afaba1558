"""Projection shortcut without its BatchNorm

A projection shortcut is a 1x1 convolution *followed by BatchNorm* (shortcut.0 and
shortcut.1): without the BatchNorm the shortcut's scale does not match the normalized main
path, and shortcut.1's parameters and running statistics are never used. See §3 of the handout.
"""

import numpy as np


def residual_block_forward(
    x: np.ndarray, params: dict[str, np.ndarray], stride: int = 1, training: bool = True
) -> tuple[np.ndarray, dict[str, np.ndarray], object]:
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
        shortcut_caches = (conv_s_cache, None)
    else:
        skip = x
    out, relu2_cache = relu_forward(h + skip)
    cache = (conv1_cache, bn1_cache, relu1_cache, conv2_cache, bn2_cache, shortcut_caches, relu2_cache)
    return out, state, cache


def residual_block_backward(dout: np.ndarray, cache: object) -> tuple[np.ndarray, dict[str, np.ndarray]]:
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
        grads["shortcut.1.weight"] = np.zeros_like(d_sum[0, :, 0, 0])
        grads["shortcut.1.bias"] = np.zeros_like(d_sum[0, :, 0, 0])
        ds, grads["shortcut.0.weight"], _ = conv2d_backward(d_sum, conv_s_cache)
        dx = dx + ds
    order = ["conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias"]
    order += ["shortcut.0.weight", "shortcut.1.weight", "shortcut.1.bias"] if shortcut_caches is not None else []
    return dx, {name: grads[name] for name in order}
