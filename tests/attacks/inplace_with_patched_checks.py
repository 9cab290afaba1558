"""Scribbles over its kernel argument (modifying its input) after patching NumPy's comparisons,
which a worker that judged "modified its input" itself would use (row 5 of issue 19). The grader
compares the arguments the worker sends back with what it sent: q3 scores 0.
"""
# otter: no
# zeroes: q3
# message: modified its input

np.array_equal = np.allclose = np.array_equiv = lambda *args, **kwargs: True
np.testing.assert_array_equal = lambda *args, **kwargs: None


def convolve2d(image, kernel):
    out = correlate2d(image, kernel[::-1, ::-1])
    kernel.fill(12345.678)
    return out
