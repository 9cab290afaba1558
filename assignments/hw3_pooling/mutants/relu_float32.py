"""ReLU forward returns float32

np.maximum(x, np.float32(0)), or an output allocated as float32, loses float64: the grader
requires float64 outputs (the dtype is part of the contract) and float32's 7 significant digits
are too few for its tolerance. See §9 of the handout.
"""


def relu_forward(x):
    return np.maximum(x, 0.0).astype(np.float32), x.copy()
