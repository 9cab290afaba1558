"""The first layer's stride set to the window instead of the hop

The kernel of the first layer is the window (the frames one MLP input reads); its stride is the
hop (how far the MLP moves between two inputs). With stride = window the windows never
overlap, and the chain computes the MLP on fewer positions than the scan asks for. See §5 of
the handout.
"""


def mlp_to_conv1d_simple(weights, biases, window, hop):
    out_0, in_0 = weights[0].shape
    first = weights[0].reshape(out_0, window, in_0 // window).transpose(0, 2, 1)
    layers = [(np.ascontiguousarray(first), biases[0].copy(), int(window))]
    for w, b in zip(weights[1:], biases[1:], strict=True):
        layers.append((w[:, :, None].copy(), b.copy(), 1))
    return layers
