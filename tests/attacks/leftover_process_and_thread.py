"""Leaves a child process and a busy thread running after a (correct) function returns.

Starting a process is refused (seccomp), so the function fails; the busy thread is harmless."""
# otter: no
# zeroes: q3
# message: starting processes is not allowed
# leftover: convlab-attack-leftover-marker


def convolve2d(image, kernel):
    import subprocess
    import threading

    subprocess.Popen(["bash", "-c", "exec -a convlab-attack-leftover-marker sleep 600"], start_new_session=True)
    threading.Thread(target=lambda: [None for _ in iter(int, 1)], daemon=True).start()
    return correlate2d(image, kernel[::-1, ::-1])
