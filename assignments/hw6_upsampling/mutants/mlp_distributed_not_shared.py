"""The distributed MLP converted like a simple one: its layers do not share

The distributed MLP's layers are made of identical groups: one group's block of weights is
used at every position. Its conv layers hold that block once, with kernel spans[k] and stride
hops[k]; converting the full matrices (one window-wide kernel, then 1x1 layers) computes the
same outputs, but stores every copy: no parameters are saved. See §5 of the handout.
"""


def mlp_to_conv1d_distributed(weights, biases, spans, hops):
    window = 1
    for span, step in zip(reversed(spans), reversed(hops), strict=True):
        window = (window - 1) * step + span
    hop = int(np.prod(hops))
    layers = mlp_to_conv1d_simple(weights, biases, window, hop)
    return layers, int(sum(w.size + b.size for w, b, _ in layers))
