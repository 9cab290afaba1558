"""dead_filters: a filter is dead if it never fires on the first image only"""
# ruff: noqa: F821, F811
# right:


def dead_filters(activations):
    return np.asarray(activations)[0].reshape(np.shape(activations)[1], -1).max(axis=1) <= 0
