"""conv_param_count forgets the input channels

Each of the out_channels filters spans *all* input channels: its kernel has in_channels x k
weights, so the weight is (out_channels, in_channels, *kernel_size). See §5 of the handout.
"""


def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    taps = 1
    for k in (kernel_size,) if isinstance(kernel_size, int) else kernel_size:
        taps *= k
    return out_channels * taps + (out_channels if bias else 0)
