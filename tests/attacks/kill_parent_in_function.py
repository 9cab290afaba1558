"""Kills its parent process (the grader, it hopes) with SIGKILL, then itself."""
# gradescope: yes
# zeroes: q3
# message: convolve2d


def convolve2d(image, kernel):
    import os

    try:
        os.kill(os.getppid(), 9)
    except OSError:
        pass
    os.kill(os.getpid(), 9)
