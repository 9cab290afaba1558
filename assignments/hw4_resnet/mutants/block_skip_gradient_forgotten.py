"""The skip connection's gradient is missing from dx

x feeds both the main path and the shortcut, so dx is the sum of both gradients: for an
identity shortcut dx = dx_main + dout * ReLU'(sum). Forgetting the second term throws away
exactly the path that keeps gradients alive in deep networks. See §4 of the handout.
"""

import numpy as np


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
        pass
    else:
        conv_s_cache, bn_s_cache = shortcut_caches
        ds, grads["shortcut.1.weight"], grads["shortcut.1.bias"] = batchnorm2d_backward(d_sum, bn_s_cache)
        ds, grads["shortcut.0.weight"], _ = conv2d_backward(ds, conv_s_cache)
        dx = dx + 0 * ds
    order = ["conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias"]
    order += ["shortcut.0.weight", "shortcut.1.weight", "shortcut.1.bias"] if shortcut_caches is not None else []
    return dx, {name: grads[name] for name in order}
