"""Output size ignores dilation

A dilated kernel of size k spans d(k - 1) + 1 input positions, not k, so the formula has
d(k - 1) where this uses k - 1. See §1 of the handout.
"""


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    if n < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("invalid arguments")
    out = (n + 2 * padding - (kernel_size - 1) - 1) // stride + 1
    if out < 1:
        raise ValueError(f"output would be empty: the kernel does not fit in n={n}")
    return out
