"""softmax_cross_entropy: the loss is the mean of -p[correct] (forgot the log); gradient right"""
# ruff: noqa: F821, F811
# right:
_softmax_cross_entropy = softmax_cross_entropy


def softmax_cross_entropy(logits, y):
    loss, dlogits = _softmax_cross_entropy(logits, y)
    shifted = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    return float(-p[np.arange(len(y)), y].mean()), dlogits
