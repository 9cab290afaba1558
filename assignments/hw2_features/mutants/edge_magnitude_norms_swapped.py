"""edge_magnitude mixes up "l1" and "l2"

"l1" is the sum of absolute values |H| + |V| (the lecture's first formula); "l2" is the Euclidean
length sqrt(H^2 + V^2) (the second one). See §2 of the handout.
"""


def edge_magnitude(horizontal, vertical, norm="l2"):
    if norm == "l2":
        return np.abs(horizontal) + np.abs(vertical)
    if norm == "l1":
        return np.sqrt(horizontal**2 + vertical**2)
    raise ValueError(f"norm must be 'l1' or 'l2', got {norm!r}")
