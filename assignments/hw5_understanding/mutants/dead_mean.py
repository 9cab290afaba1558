"""A dead filter detected by its mean instead of its maximum

A filter is dead when it never fires: its maximum over all images and positions is <= 0. A
mean <= 0 also flags filters that are negative on average but positive somewhere, so they
are alive. See §5 of the handout.
"""


def dead_filters(activations):
    axes = tuple(a for a in range(np.ndim(activations)) if a != 1)
    return np.mean(activations, axis=axes) <= 0
