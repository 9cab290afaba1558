"""Correlation: a constant channel keeps a 1 on the diagonal

A constant (e.g. dead) channel is correlated with nothing, itself included: its whole row and
column are 0, the diagonal entry too. Only the channels that vary have 1 on the diagonal.
See §6 of the handout.
"""


def channel_correlation(activations):
    c = activations.shape[1]
    values = np.moveaxis(np.asarray(activations, dtype=np.float64), 1, 0).reshape(c, -1)
    live = values.max(axis=1) != values.min(axis=1)
    corr = np.zeros((c, c))
    if live.any():
        corr[np.ix_(live, live)] = np.atleast_2d(np.corrcoef(values[live]))
    np.fill_diagonal(corr, 1.0)
    return corr
