"""Activation maps: the layer index is off by one

Layers are numbered from 1: layer 1 is the first conv layer, whose output has 8 channels.
Treating the argument as 0-based returns the next layer's maps (and accepts layer 0).
See §5 of the handout.
"""


def activation_maps(params, images, layer):
    if not 0 <= layer < 3:
        raise ValueError(f"layer must be 0, 1 or 2, got {layer!r}")
    _, activations, _ = cnn_forward(params, images)
    return activations[f"relu{int(layer) + 1}"]
