"""Projection decided by the channel count only, ignoring the stride

A block needs a projection shortcut when the stride is not 1 *or* the channel count changes:
with stride 2 the identity x no longer has the output's height and width. Deciding from the
channels alone accepts wrong parameters and fails on a stride-2 identity. See §3 of the handout.
"""

import numpy as np


def residual_block_forward(
    x: np.ndarray, params: dict[str, np.ndarray], stride: int = 1, training: bool = True
) -> tuple[np.ndarray, dict[str, np.ndarray], object]:
    c_out, c_in = params["conv1.weight"].shape[:2]
    needs_projection = stride != 1 or c_in != c_out
    has_projection = "shortcut.0.weight" in params
    if c_in != c_out and not has_projection:
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
