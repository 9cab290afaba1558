"""edge_magnitude treats any unknown norm as "l2"

A typo such as norm="L1" or norm="max" must raise a ValueError that names the allowed values
("l1", "l2"), not silently compute something else. See §2 of the handout.
"""


def edge_magnitude(horizontal, vertical, norm="l2"):
    if norm == "l1":
        return np.abs(horizontal) + np.abs(vertical)
    return np.sqrt(horizontal**2 + vertical**2)
