"""Cross-entropy gradient: the one-hot label is not subtracted

The gradient of the mean cross-entropy is (softmax(logits) - onehot(labels)) / N: the correct
class's probability gets 1 subtracted. Without it, dlogits is p / N, positive everywhere, and
gradient descent pushes every logit down, the correct one included. See §6 of the handout.
"""

# outputs: dlogits


def softmax_cross_entropy(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), labels].mean()
    return float(loss), np.exp(log_probs) / n
