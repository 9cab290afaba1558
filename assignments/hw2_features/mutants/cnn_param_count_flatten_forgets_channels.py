"""cnn_param_count flattens only H_out x W_out, forgetting the channels

Flattening a (C_out, H_out, W_out) feature map gives a vector of C_out * H_out * W_out numbers,
one per channel and position: that is the linear layer's in_features. See §5 of the handout.
"""


def cnn_param_count(input_shape, conv_layers, num_outputs, bias=True):
    _c_out, h_out, w_out = cnn_output_shape(input_shape, conv_layers)
    total, channels = 0, int(input_shape[0])
    for out_channels, kernel_size, _stride, _padding in conv_layers:
        total += conv_param_count(channels, out_channels, _pair(kernel_size), bias)
        channels = int(out_channels)
    return total + linear_param_count(h_out * w_out, num_outputs, bias)
