"""Output size rounded up instead of down

A window that would run past the (padded) input is not computed, so the number of windows is
floor((n + 2p - d(k - 1) - 1) / s) + 1, not the ceiling. The two differ whenever the stride
does not divide the remaining length. See §1 of the handout.
"""


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    if n < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("invalid arguments")
    out = -(-(n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride) + 1
    if out < 1:
        raise ValueError(f"output would be empty: the dilated kernel does not fit in n={n}")
    return out
