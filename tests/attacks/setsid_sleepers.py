"""Starts 50 detached sleepers (start_new_session) so that grading waits for them."""
# gradescope: yes
# zeroes: q3
# message: starting processes is not allowed
# leftover: convlab-attack-leftover-marker


def convolve2d(image, kernel):
    import subprocess

    for _ in range(50):
        subprocess.Popen(["bash", "-c", "exec -a convlab-attack-leftover-marker sleep 61"], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return correlate2d(image, kernel[::-1, ::-1])
