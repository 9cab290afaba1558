"""mlp_param_count stops one layer early (range(len(sizes) - 2))"""
# ruff: noqa: F821, F811
# right:


def mlp_param_count(layer_sizes, bias=True):
    return sum(linear_param_count(layer_sizes[i], layer_sizes[i + 1], bias) for i in range(len(layer_sizes) - 2))
