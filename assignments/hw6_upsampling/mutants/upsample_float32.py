"""upsample1d returns float32

The zero-inserted output is allocated as float32 (np.zeros(..., dtype=np.float32), or a cast).
Every array output of this homework must be float64, like its inputs (Conventions, Getting
started): float32's 7 significant digits are too few for the grader's tolerance, and the dtype
is part of the contract.
"""

_solution_upsample1d = upsample1d


def upsample1d(x, factor):
    return _solution_upsample1d(x, factor).astype(np.float32)
