"""The shared block read feature-major instead of time-major

A group's inputs are flattened time-major, as the MLP's input: column t*C' + c of the block
(C' = the width of the layer below) multiplies channel c at kernel tap t. The conv weight is
block.reshape(out_k, span, C').transpose(0, 2, 1); reshaping straight to (out_k, C', span)
scrambles it. See §5 of the handout.
"""


def mlp_to_conv1d_distributed(weights, biases, spans, hops):
    groups, needed = [], 1
    for span, step in zip(reversed(spans), reversed(hops), strict=True):
        groups.insert(0, needed)
        needed = (needed - 1) * step + span
    channels = weights[0].shape[1] // needed
    layers, distinct = [], 0
    for w, b, g, span, step in zip(weights, biases, groups, spans, hops, strict=True):
        out_k = w.shape[0] // g
        block = w[:out_k, : span * channels].reshape(out_k, channels, span)
        layers.append((block.copy(), b[:out_k].copy(), int(step)))
        distinct += block.size + out_k
        channels = out_k
    return layers, int(distinct)
