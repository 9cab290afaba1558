"""mlp_param_count gives the input layer biases too

Only the L linear layers have parameters: one bias per *output* unit of each layer, so the
biases number n_1 + ... + n_L. The input "layer" n_0 is just the data. See §5 of the handout.
"""


def mlp_param_count(layer_sizes, bias=True):
    weights = sum(a * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))
    return weights + (sum(layer_sizes) if bias else 0)
