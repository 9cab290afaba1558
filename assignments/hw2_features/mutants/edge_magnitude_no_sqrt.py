"""edge_magnitude "l2" forgets the square root

The L2 magnitude is sqrt(H^2 + V^2), in the units of H and V; H^2 + V^2 alone squares every edge
strength (and makes strong edges look far stronger than they are). See §2 of the handout.
"""


def edge_magnitude(horizontal, vertical, norm="l2"):
    if norm == "l1":
        return np.abs(horizontal) + np.abs(vertical)
    if norm == "l2":
        return horizontal**2 + vertical**2
    raise ValueError(f"norm must be 'l1' or 'l2', got {norm!r}")
