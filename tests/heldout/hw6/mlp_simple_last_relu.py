"""mlp_to_conv1d_simple: the biases of the 1x1 layers are dropped"""
# ruff: noqa: F821, F811
# right:
_mlp_to_conv1d_simple = mlp_to_conv1d_simple


def mlp_to_conv1d_simple(weights, biases, window, hop):
    layers = _mlp_to_conv1d_simple(weights, biases, window, hop)
    return [layers[0]] + [(w, np.zeros_like(b), s) for w, b, s in layers[1:]]
