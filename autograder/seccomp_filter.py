"""The worker's system-call filter: no new processes, no network, no escape hatches.

Installed by ``worker.py`` once its jail is set up and before any student code runs, through
libseccomp (``libseccomp2``, in Gradescope's Ubuntu base image) via the pinned ``pyseccomp``
binding. A seccomp filter is inherited by every thread and can never be removed, so it holds
in every mode, with namespaces and without. Denied calls fail with an errno (the student's code
sees an ordinary ``OSError``); nothing is killed, so the grader can report what happened.

Needs only the standard library and the binding: the worker imports it before NumPy.
"""

from __future__ import annotations

import errno
import os

CLONE_THREAD = 0x00010000

# (errno, system calls): what a submission may never do, in any mode
DENIED: list[tuple[int, tuple[str, ...]]] = [
    # starting processes: the worker runs as one process with threads, nothing else
    (errno.EPERM, ("execve", "execveat", "fork", "vfork")),
    # the network, and every other socket family (the engine talks over inherited pipes)
    (errno.EACCES, ("socket",)),
    # reading or steering other processes
    (errno.EPERM, ("ptrace", "process_vm_readv", "process_vm_writev", "pidfd_open", "pidfd_getfd", "pidfd_send_signal", "tkill")),
    # leaving the jail: new namespaces, mounts, a new root
    (errno.EPERM, ("unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount", "fsopen", "fsmount", "fspick")),
    # kernel attack surface no NumPy code needs (io_uring would also bypass the socket rule)
    (errno.EPERM, ("keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register")),
    # System V and POSIX IPC: objects that outlive the process (memory pinned after grading)
    (errno.EPERM, ("shmget", "shmat", "shmctl", "shmdt", "semget", "semop", "semtimedop", "semctl", "msgget", "msgsnd", "msgrcv", "msgctl")),
    (errno.EPERM, ("mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr")),
]
# fcntl/ioctl commands that make the kernel signal another process (the grader) on I/O
F_SETOWN, F_SETSIG, F_SETOWN_EX, F_SETLEASE, F_NOTIFY = 8, 10, 15, 1024, 1026
FIOSETOWN, SIOCSPGRP = 0x8901, 0x8902
FCNTL_RULE = "fcntl F_SETOWN, F_SETSIG, F_SETOWN_EX, F_SETLEASE, F_NOTIFY and ioctl FIOSETOWN, SIOCSPGRP: EPERM"
# clone() may create threads only; clone3() hides its flags from seccomp, so it is refused
# with ENOSYS and glibc falls back to clone() for pthread_create.
CLONE_RULE = "clone without CLONE_THREAD: EPERM; clone3: ENOSYS"
# signals go to the worker itself only (never to the grader, other workers or init)
SIGNAL_RULE = "kill, rt_sigqueueinfo, tgkill, rt_tgsigqueueinfo: only to the worker's own pid, else EPERM"


def describe() -> list[str]:
    """The rules in words (for the README and the grader's log)."""
    lines = [f"{', '.join(calls)}: {errno.errorcode[code]}" for code, calls in DENIED]
    return lines + [CLONE_RULE, SIGNAL_RULE, FCNTL_RULE]


try:
    import seccomp  # libseccomp's own bindings, where the distribution ships them
except ImportError:
    try:
        import pyseccomp as seccomp  # the same API, on PyPI, over the system's libseccomp
    except (ImportError, RuntimeError):  # no binding, or no libseccomp.so.2: install() says so
        seccomp = None


def install() -> None:
    """Load the filter into this process (irrevocably). Raises OSError/ImportError if it cannot."""
    if seccomp is None:
        raise ImportError("no libseccomp binding (pip install pyseccomp) or no libseccomp.so.2 on this machine")
    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for code, calls in DENIED:
        for call in calls:
            try:
                rules.add_rule(seccomp.ERRNO(code), call)
            except (OSError, RuntimeError, ValueError):
                pass  # a system call this kernel/libseccomp does not know cannot be called either
    rules.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    for command in (F_SETOWN, F_SETSIG, F_SETOWN_EX, F_SETLEASE, F_NOTIFY):
        rules.add_rule(seccomp.ERRNO(errno.EPERM), "fcntl", seccomp.Arg(1, seccomp.EQ, command))
    for command in (FIOSETOWN, SIOCSPGRP):
        rules.add_rule(seccomp.ERRNO(errno.EPERM), "ioctl", seccomp.Arg(1, seccomp.EQ, command))
    me = os.getpid()
    for call in ("kill", "rt_sigqueueinfo", "tgkill", "rt_tgsigqueueinfo"):
        rules.add_rule(seccomp.ERRNO(errno.EPERM), call, seccomp.Arg(0, seccomp.NE, me))
    rules.load()  # sets no_new_privs first (libseccomp's default)
