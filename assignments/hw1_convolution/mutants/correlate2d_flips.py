"""correlate2d flips the kernel

Cross-correlation slides the kernel as it is (out[i, j] = sum image[i + a, j + b] * kernel[a, b]);
only convolution flips it. Flipping in correlate2d also makes convolve2d flip twice, so both are wrong.
See §2 of the handout.
"""


def correlate2d(image, kernel):
    windows = sliding_window_view(image, kernel.shape)
    return np.einsum("ijab,ab->ij", windows, kernel[::-1, ::-1])
