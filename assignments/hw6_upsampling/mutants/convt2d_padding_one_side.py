"""padding cropped from one end only

`padding` crops that many positions from *both* ends of each axis of the full output (it is
the padding of the convolution being transposed, which pads both sides):
H_out = (H - 1)*sh - 2*ph + dh*(KH - 1) + oph + 1. Cropping only at the start (the top rows and
left columns), or only at the end, leaves padding extra positions on the other side. See §2 of
the handout.
"""

# variants: start, end
_VARIANT = "start"
_solution_forward = conv_transpose2d_forward


def conv_transpose2d_forward(x, w, b, stride=1, padding=0, output_padding=0, dilation=1):
    ph, pw = _pair(padding, "padding")
    out, cache = _solution_forward(x, w, b, stride, 0, output_padding, dilation)
    if _VARIANT == "start":
        return out[:, :, ph:, pw:], cache
    return out[:, :, : out.shape[2] - ph, : out.shape[3] - pw], cache
