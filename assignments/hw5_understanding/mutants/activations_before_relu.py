"""Activation maps taken before the ReLU

The lecture's activation maps are the output of a convolution *followed by the
non-linearity*: activations["relu{k}"]. The conv output "conv{k}" still has its negative
values (and a dead filter would not show as zero). See §5 of the handout.
"""


def activation_maps(params, images, layer):
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 1 <= layer <= 3:
        raise ValueError(f"layer must be 1, 2 or 3, got {layer!r}")
    _, activations, _ = cnn_forward(params, images)
    return activations[f"conv{int(layer)}"]
