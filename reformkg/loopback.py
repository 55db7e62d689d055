"""Start a local server process on a free loopback port and wait until it answers (tests, benchmarks)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(cmd: Sequence[str], probe_url: str, timeout: float = 60, **popen) -> Iterator[subprocess.Popen]:
    """Run ``cmd`` until ``probe_url`` gives any HTTP answer; stop it (terminate, then kill) on exit.

    Raises RuntimeError with the process's output when it exits or does not answer in time.
    """
    import httpx

    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **popen)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                httpx.get(probe_url, timeout=2)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    output = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                    raise RuntimeError(f"{cmd[0]} did not start: {output}") from None
                time.sleep(0.05)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
