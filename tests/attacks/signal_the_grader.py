"""As an ordinary user without namespaces, a worker runs as the grader's own user (row 10 of
issue 19): F_SETOWN(grader) + F_SETSIG(SIGKILL) on a pipe would make the kernel kill the grader
on the next write (every pending submission of the batch then scored 0), and /proc/<grader>/mem
was readable. The filter refuses F_SETOWN/F_SETSIG, Landlock scopes signals and hides other
processes' /proc, and the grader is not dumpable: nothing happens, the functions still work.
"""
# otter: no
# zeroes: none


def _attack():
    import fcntl
    import os

    grader = os.getppid()
    for path in (f"/proc/{grader}/mem", f"/proc/{grader}/environ", f"/proc/{grader}/cmdline"):
        try:
            with open(path, "rb") as f:
                print("STOLEN", path, f.read(64))
        except OSError:
            pass
    r, w = os.pipe()
    for command, argument in ((fcntl.F_SETOWN, grader), (10, 9), (fcntl.F_SETFL, os.O_ASYNC | os.O_NONBLOCK)):  # F_SETSIG = 10
        try:
            fcntl.fcntl(r, command, argument)
        except OSError:
            pass
    os.write(w, b"x")
    try:
        os.kill(grader, 9)
    except OSError:
        pass


_attack()
