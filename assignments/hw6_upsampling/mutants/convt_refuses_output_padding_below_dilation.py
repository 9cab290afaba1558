"""conv_transpose2d_forward refuses output_padding >= stride even when it is below the dilation

torch refuses a layer only when output_padding >= stride *and* output_padding >= dilation (along
an axis): stride=1, dilation=2, output_padding=1 is a valid layer (the positions it adds hold
what the dilated kernel scattered there, plus the bias). Raising ValueError there refuses a layer
torch computes. See §2 of the handout.
"""

_solution_forward = conv_transpose2d_forward


def conv_transpose2d_forward(x, w, b, stride=1, padding=0, output_padding=0, dilation=1):
    if any(o >= s for o, s in zip(_pair(output_padding, "output_padding"), _pair(stride, "stride"), strict=True)):
        raise ValueError("output_padding must be smaller than the stride")
    return _solution_forward(x, w, b, stride, padding, output_padding, dilation)
