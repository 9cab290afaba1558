"""The MLP's input read feature-major instead of time-major

The MLP's input is flattened time-major: v[t*C + c] = x[c, start + t], frame 0's C features
first. Column t*C + c of weights[0] therefore multiplies channel c at kernel tap t, so the
first conv layer is weights[0].reshape(out_0, window, C).transpose(0, 2, 1). Reshaping straight
to (out_0, C, window) assumes v[c*window + t] (feature-major) and scrambles the weights. See §5
of the handout.
"""


def mlp_to_conv1d_simple(weights, biases, window, hop):
    out_0, in_0 = weights[0].shape
    first = weights[0].reshape(out_0, in_0 // window, window)
    layers = [(first.copy(), biases[0].copy(), int(hop))]
    for w, b in zip(weights[1:], biases[1:], strict=True):
        layers.append((w[:, :, None].copy(), b.copy(), 1))
    return layers
