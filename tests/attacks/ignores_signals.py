"""Ignores SIGTERM, SIGALRM and SIGINT, then loops forever."""
# otter: no
# zeroes: q3
# message: timed out

import signal

for _sig in (signal.SIGTERM, signal.SIGALRM, signal.SIGINT):
    signal.signal(_sig, signal.SIG_IGN)


def convolve2d(image, kernel):
    while True:
        pass
