"""Returns an ndarray subclass whose __eq__, __array__ and allclose all lie."""
# otter: no
# zeroes: q3
# message: values differ


class Liar(np.ndarray):
    def __eq__(self, other):
        return True

    def __array__(self, *args, **kwargs):
        return np.asarray(other_answer)

    def __array_function__(self, func, types, args, kwargs):
        return True


other_answer = None


def convolve2d(image, kernel):
    shape = (image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1)
    return np.full(shape, 7.0).view(Liar)
