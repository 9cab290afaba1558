"""conv_param_count assumes a square 2D kernel

An int kernel_size is a 1D kernel of k taps (nn.Conv1d), not k x k; a tuple (k1, ..., kd) has
k1 * ... * kd taps, whatever its length. The lecture's 1D convolution over words has 100 x 100 x 5
weights. See §5 of the handout.
"""


def conv_param_count(in_channels, out_channels, kernel_size, bias=True):
    k = kernel_size if isinstance(kernel_size, int) else kernel_size[0]
    return out_channels * in_channels * k * k + (out_channels if bias else 0)
