"""Output size accepts a kernel that does not fit

When the dilated kernel is longer than the padded input, there is no valid window: the formula
gives 0 or a negative number, and the function must raise ValueError instead of returning it
(PyTorch refuses such a layer too). See §1 of the handout.
"""


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    return (n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
