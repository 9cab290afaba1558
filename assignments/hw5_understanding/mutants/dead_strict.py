"""A dead filter tested with max < 0 instead of max <= 0

After the ReLU a dead filter's activations are exactly 0, never negative: the test is
max <= 0. With a strict inequality no post-ReLU channel is ever dead. See §5 of the handout.
"""


def dead_filters(activations):
    axes = tuple(a for a in range(np.ndim(activations)) if a != 1)
    return np.max(activations, axis=axes) < 0
