"""overlap_counts ignores the left border (as if inputs existed before position 0)

Tap k lands on position j when j - k is a multiple of the stride *and* the input it comes from,
(j - k) / stride, exists: the input starts at position 0, so near the start fewer taps land
(overlap_counts(3, 2, 9) starts with 1, 1, 2, not 2, 1, 2). Counting every k with
(j - k) % stride == 0 gives the interior pattern everywhere. See §4 of the handout.
"""


def overlap_counts(kernel_size, stride, length):
    counts = np.zeros(length, dtype=np.int64)
    for j in range(length):
        counts[j] = sum(1 for k in range(kernel_size) if (j - k) % stride == 0)
    return counts
