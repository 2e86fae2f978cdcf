"""Runs a command with its stdout behind a deliberately slow reader (a starved log intake).

Usage: slow-log-reader.py BYTES_PER_READ PAUSE_MS COMMAND...

The command's stdout goes into a pipe this script drains BYTES_PER_READ bytes at a time with PAUSE_MS
between reads, copying to its own stdout; SIGINT/SIGTERM are forwarded; it exits with the command's
status. A test fixture for conformance/broker/starvation.test.ts: the kit must see the candidate blocked
writing its log (wchan pipe_write) and never blame it for what that costs.
"""
import os
import signal
import subprocess
import sys
import threading
import time


def main() -> int:
    chunk = int(sys.argv[1])
    pause = int(sys.argv[2]) / 1000.0
    child = subprocess.Popen(sys.argv[3:], stdout=subprocess.PIPE)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda s, _f: child.send_signal(s))

    def pump() -> None:
        assert child.stdout is not None
        fd = child.stdout.fileno()
        while True:
            data = os.read(fd, chunk)
            if not data:
                return
            try:
                os.write(1, data)
            except OSError:
                return
            time.sleep(pause)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    code = child.wait()
    reader.join(2.0)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
