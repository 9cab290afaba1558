"""Transposed-convolution weights read as (C_out, C_in, K), a convolution's layout

F.conv_transpose1d takes w as (C_in, C_out, K): input channels first, the reverse of F.conv1d.
w[c, o] is the kernel that input channel c scatters onto output channel o. Reading it as
w[o, c] breaks when C_in != C_out and silently mixes the channels up when they are equal. See
§2 of the handout.
"""


def conv_transpose1d_forward(x, w, b, stride=1, padding=0, output_padding=0, dilation=1):
    w_conv = w.transpose(1, 0, 2)  # the (C_out, C_in, K) reading of the weights
    out, cache = conv_transpose2d_forward(
        x[:, :, None, :], w_conv[:, :, None, :], b, (1, stride), (0, padding), (0, output_padding), (1, dilation)
    )
    return out[:, :, 0, :], cache
