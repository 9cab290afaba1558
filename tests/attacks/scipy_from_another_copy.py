"""Deletes the sys.modules ban and imports scipy from another copy on disk (row 4 of issue 19):
the base interpreter's site-packages, the system's dist-packages, the user site. Landlock leaves
every site folder but the venv's own entries out of the worker's view; namespaces cover every
copy with tmpfs; the chmod fallback gates every copy it finds. q2 and q3 then score 0.
"""
# gradescope: yes
# otter: no
# zeroes: q2,q3
# message: values differ

import glob
import sys


def _scipy_signal():
    for name in [m for m, module in sys.modules.items() if module is None or m == "scipy" or m.startswith("scipy.")]:
        del sys.modules[name]  # every ban (scipy probes torch)
    places = [sys.base_prefix + "/lib/python3*/site-packages", "/usr/lib/python3*/dist-packages", "/usr/local/lib/python3*/*-packages", "/root/.local/lib/python3*/site-packages"]
    sys.path += [p for pattern in places for p in glob.glob(pattern)]
    try:
        import scipy.signal

        return scipy.signal
    except Exception:  # noqa: BLE001 - unreachable: earn nothing
        return None


def correlate2d(image, kernel):
    signal = _scipy_signal()
    return signal.correlate2d(image, kernel, mode="valid") if signal else np.zeros((1, 1))


def convolve2d(image, kernel):
    signal = _scipy_signal()
    return signal.convolve2d(image, kernel, mode="valid") if signal else np.zeros((1, 1))
