"""Output size computed with / instead of //

In Python 3, ``/`` is true division and returns a float (even 3.0 for an exact result, and
2.67 when the stride does not divide); the output size is a whole number of windows, an int
obtained with floor division ``//``. See §1 of the handout.
"""


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    if n < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("invalid arguments")
    out = (n + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1
    if out < 1:
        raise ValueError(f"output would be empty: the dilated kernel does not fit in n={n}")
    return out
