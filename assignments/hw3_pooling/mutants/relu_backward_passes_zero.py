"""ReLU gradient passed at x == 0

ReLU's derivative at exactly 0 is taken as 0, as PyTorch does: the mask is ``x > 0``, not
``x >= 0``. Integer-valued inputs contain exact zeros. See §1 of the handout.
"""


def relu_backward(dout, cache):
    return np.where(cache >= 0, dout, 0.0)
