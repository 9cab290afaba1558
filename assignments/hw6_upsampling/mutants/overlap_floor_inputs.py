"""overlap_counts misses the last input (floor(length / stride) inputs instead of ceil)

Every input i whose first tap i*stride falls inside the first `length` positions contributes:
i = 0 .. ceil(length / stride) - 1. Looping over length // stride inputs drops the last one
when stride does not divide length, and the counts at the end come out one too low. See §4 of
the handout.
"""


def overlap_counts(kernel_size, stride, length):
    counts = np.zeros(length, dtype=np.int64)
    for i in range(length // stride):
        for k in range(kernel_size):
            if i * stride + k < length:
                counts[i * stride + k] += 1
    return counts
