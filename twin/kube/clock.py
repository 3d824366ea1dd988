"""Twin time: wall time compressed by a factor, so a 10-minute migration can take seconds.

Every timestamp the twin serves and every duration the controller simulates come from this
clock, so they agree with each other (they run ahead of the wall clock when the factor is > 1).
"""
import threading
import time
from datetime import datetime, timezone


class Clock:
    def __init__(self, factor=1.0):
        self._lock = threading.Lock()
        self._factor = float(factor)
        self._base_real = time.monotonic()
        self._base_twin = time.time()

    @property
    def factor(self):
        return self._factor

    def set_factor(self, factor):
        # Re-anchor so twin time stays continuous across the change.
        with self._lock:
            now = self.now()
            self._base_real = time.monotonic()
            self._base_twin = now
            self._factor = float(factor)

    def now(self):
        return self._base_twin + (time.monotonic() - self._base_real) * self._factor

    def stamp(self):
        """RFC 3339 with second precision, like metav1.Time."""
        return datetime.fromtimestamp(self.now(), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
