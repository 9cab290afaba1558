"""conv2d_forward returns float32

The output is allocated (or cast) as float32. Every array this homework returns must be float64,
like its inputs: float32 keeps about 7 significant digits, too few for the grader's tolerance,
and the dtype is part of the contract. Allocate with the inputs' dtype or float64. See §5 and §6
of the handout.
"""

_conv2d_forward_float64 = conv2d_forward


def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    out, cache = _conv2d_forward_float64(x, w, b, stride=stride, padding=padding, dilation=dilation)
    return out.astype(np.float32), cache
