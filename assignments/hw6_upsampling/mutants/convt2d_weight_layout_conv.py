"""Transposed-convolution weights read as (C_out, C_in, KH, KW), a convolution's layout

F.conv_transpose2d takes w as (C_in, C_out, KH, KW): input channels first, the reverse of
F.conv2d. w[c, o] is the kernel that input channel c scatters onto output channel o. Reading it
as w[o, c] breaks when C_in != C_out and silently mixes the channels up when they are equal.
See §2 of the handout.
"""

_solution_forward = conv_transpose2d_forward


def conv_transpose2d_forward(x, w, b, stride=1, padding=0, output_padding=0, dilation=1):
    return _solution_forward(x, w.transpose(1, 0, 2, 3), b, stride, padding, output_padding, dilation)
