"""Allocates System V shared memory and POSIX shared memory and leaves them (row 8 of issue 19):
they would pin memory after grading. The filter refuses shmget (and IPC namespaces or the
cleanup remove what might exist): nothing is left, and the functions still work.
"""
# otter: no
# zeroes: none

import ctypes
import os

_SIZE = 100 * 1024 * 1024 + 4096 * 7  # a size the test looks for afterwards


def _leak():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.shmat.restype = ctypes.c_void_p
    ident = libc.shmget(0, _SIZE, 0o1666)  # IPC_PRIVATE, IPC_CREAT | 0666
    if ident >= 0:
        address = libc.shmat(ident, None, 0)
        if address not in (None, ctypes.c_void_p(-1).value):
            ctypes.memset(address, 1, _SIZE)
    try:
        fd = os.open("/dev/shm/PWNED_shm_leak", os.O_CREAT | os.O_RDWR, 0o666)
        os.ftruncate(fd, 1 << 20)
    except OSError:
        pass


_leak()
