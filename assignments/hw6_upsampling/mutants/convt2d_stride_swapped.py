"""The (h, w) stride pair read as (w, h)

In 2D every pair is (height, width): stride=(2, 1) spreads the inputs 2 rows apart and 1
column apart. Unpacking it as `sw, sh = stride` exchanges the two, which only shows when they
differ. See §2 of the handout.
"""

_solution_forward = conv_transpose2d_forward


def conv_transpose2d_forward(x, w, b, stride=1, padding=0, output_padding=0, dilation=1):
    sw, sh = _pair(stride, "stride")
    return _solution_forward(x, w, b, (sh, sw), padding, output_padding, dilation)
