"""Output size counts the padding once

``padding`` zeros are added at *each* end of the input, so the padded length is n + 2p, not
n + p. See §1 of the handout.
"""


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    if n < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("invalid arguments")
    out = (n + padding - dilation * (kernel_size - 1) - 1) // stride + 1
    if out < 1:
        raise ValueError(f"output would be empty: the dilated kernel does not fit in n={n}")
    return out
