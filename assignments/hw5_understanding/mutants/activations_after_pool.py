"""Activation maps taken after the max pool

The activation maps of conv layer k are its output after the ReLU and *before* the pooling,
activations["relu{k}"]: (N, 8, 25, 25) for layer 1 on the faces. "pool{k}" has half the
height and width. See §5 of the handout.
"""


def activation_maps(params, images, layer):
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 1 <= layer <= 3:
        raise ValueError(f"layer must be 1, 2 or 3, got {layer!r}")
    _, activations, _ = cnn_forward(params, images)
    return activations[f"pool{int(layer)}"]
