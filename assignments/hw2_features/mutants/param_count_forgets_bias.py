"""A parameter count forgets the biases

Every nn.Conv2d and nn.Linear layer made with bias=True (the default) also has one bias per output
channel or feature: out_channels (out_features) parameters that count like the weights. Only
bias=False removes them. See §5 of the handout.
"""

# variants: conv, mlp
# siblings: linear_forgets_bias
_VARIANT = "conv"


def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    taps = 1
    for k in (kernel_size,) if isinstance(kernel_size, (int, np.integer)) else kernel_size:
        taps *= int(k)
    return out_channels * in_channels * taps + (out_channels if bias and _VARIANT != "conv" else 0)


def mlp_param_count(layer_sizes, bias=True):
    with_bias = bias and _VARIANT != "mlp"
    return sum(linear_param_count(a, b, with_bias) for a, b in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))
