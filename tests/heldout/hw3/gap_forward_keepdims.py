"""global_avg_pool_forward keeps the spatial axes (keepdims=True): (N, C, 1, 1)"""
# ruff: noqa: F821, F811
# right:
_global_avg_pool_forward = global_avg_pool_forward


def global_avg_pool_forward(x):
    out, cache = _global_avg_pool_forward(x)
    return out[:, :, None, None], cache
