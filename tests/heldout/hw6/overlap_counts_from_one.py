"""overlap_counts counts j = 1 .. length (off by one at the start)"""
# ruff: noqa: F821, F811
# right: overlap_ignores_left_border
_overlap_counts = overlap_counts


def overlap_counts(kernel_size, stride, length):
    return _overlap_counts(kernel_size, stride, length + 1)[1:]
