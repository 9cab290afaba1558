"""Writes half a reply frame into the grader's pipe, then sleeps (row 6 of issue 19): a grader
whose reads had no deadline hung forever. The reply has the call's deadline: q3 scores 0 with
"stopped responding mid-reply", and the batch moves on.
"""
# gradescope: yes
# otter: no
# zeroes: q3
# message: stopped responding mid-reply


def convolve2d(image, kernel):
    import __main__
    import os
    import struct
    import time

    os.write(__main__.WRITE_FD, struct.pack(">I", 1 << 16) + b'{"status": "ok", "se')
    time.sleep(600)
