"""Helpers shared by the Python suites that start real servers on loopback
(tests/milter: Postfix; tests/scaleout: Redis, PostgreSQL)."""
import socket
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, what):
    """The predicate's first true value, polled every 50 ms, or AssertionError."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
