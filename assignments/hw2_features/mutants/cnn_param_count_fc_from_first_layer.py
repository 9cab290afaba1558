"""cnn_param_count sizes the linear layer from the first conv layer's output

The linear layer reads the *last* feature map, flattened: C_out * H_out * W_out inputs. Sizing
it from the first conv layer's output counts a different network (the lecture's slide makes this
mistake). See §5 of the handout.
"""


def cnn_param_count(input_shape, conv_layers, num_outputs, bias=True):
    c_1, h_1, w_1 = cnn_output_shape(input_shape, conv_layers[:1])
    total, channels = 0, int(input_shape[0])
    for out_channels, kernel_size, _stride, _padding in conv_layers:
        total += conv_param_count(channels, out_channels, _pair(kernel_size), bias)
        channels = int(out_channels)
    return total + linear_param_count(c_1 * h_1 * w_1, num_outputs, bias)
