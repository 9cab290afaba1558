"""overlap_counts returns floats

Counts of kernel taps are whole numbers, and the contract asks for a NumPy integer array
(np.zeros(length) is float64: give it dtype=int, or convert with .astype(np.int64)). See §4 of
the handout.
"""


def overlap_counts(kernel_size, stride, length):
    counts = np.zeros(length)
    for j in range(length):
        for k in range(min(kernel_size, j + 1)):
            if (j - k) % stride == 0:
                counts[j] += 1
    return counts
