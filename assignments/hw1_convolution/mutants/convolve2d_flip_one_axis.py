"""convolve2d flips the kernel along one axis only

Convolution rotates the kernel by 180 degrees, i.e. flips it along *both* the row and the
column axis; flipping only the rows (``kernel[::-1]``) is neither convolution nor correlation.
See §2 of the handout.
"""


def convolve2d(image, kernel):
    return correlate2d(image, kernel[::-1])
