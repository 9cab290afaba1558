"""Saliency without the absolute value

Captum's Saliency (abs=True, the default) returns |d logit / d x|: how much a pixel matters,
whichever way it pushes. The signed gradient is negative wherever brightening a pixel would
lower the score. See §4 of the handout.
"""


def saliency(params, images, targets):
    n = len(images)
    targets = np.broadcast_to(np.asarray(targets, dtype=np.int64), (n,))
    logits, _, cache = cnn_forward(params, images)
    dlogits = np.zeros_like(logits)
    dlogits[np.arange(n), targets] = 1.0
    dx, _ = cnn_backward(dlogits, cache)
    return dx
