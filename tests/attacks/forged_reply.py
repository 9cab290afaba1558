"""Writes crafted replies straight into the grader's pipe: a pickle, a lying array, a huge frame."""
# otter: no
# zeroes: q3
# message: convolve2d

import json
import os
import pickle
import struct


def _frame(data):
    return struct.pack(">I", len(data)) + data


def convolve2d(image, kernel):
    payload = pickle.dumps({"pwned": True})
    header = {"status": "ok", "value": {"t": "pickle", "v": payload.hex()}, "n_blobs": 1}
    lying = {"status": "ok", "value": {"t": "nd", "i": 0, "dtype": "<f8", "shape": [1000, 1000]}, "n_blobs": 1}
    for fd in range(3, 64):
        try:
            os.write(fd, _frame(json.dumps(header).encode()) + _frame(payload))
            os.write(fd, _frame(json.dumps(lying).encode()) + _frame(b"\0" * 8))
            os.write(fd, struct.pack(">I", 2**31))
        except OSError:
            pass
    return np.zeros((1, 1))
