"""convolve2d does not flip the kernel

A true convolution flips the kernel in both axes before sliding it over the image; without the
flip, convolve2d is just cross-correlation and disagrees with it for any asymmetric kernel.
See §2 of the handout.
"""


def convolve2d(image, kernel):
    return correlate2d(image, kernel)
