"""Reliability suite: fault, kill and soak scenarios against the twins, and the ledger of their figures.

Each scenario records what one run did through the session fixture ``ledger``; at the end of
the session the rows are merged into ``.cache/reliability/results.json`` (a scenario run in this
session replaces its earlier row, the others stay), which ``scripts/reliability_table.py``
renders into ``docs/reliability.md``.

The long versions are marked ``full``; CI runs ``-m "not full"``.
"""

import fcntl
import json
import os
import time

import pytest

from tests.reliability.fault_twin import fault_twin, fault_twin_clean  # noqa: F401  (the fault scenarios' twin)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESULTS = os.path.join(ROOT, ".cache", "reliability", "results.json")
COUNTS = ("migrations", "faults", "lost", "in_error", "duplicates")


def pytest_configure(config):
    config.addinivalue_line("markers", "full: the long version of a reliability scenario (CI runs -m 'not full')")


class Ledger:
    """Per-scenario sums of what the runs of this session did."""

    def __init__(self):
        self.rows = {}

    def record(self, scenario, *, migrations, faults, lost, in_error, duplicates):
        """One call is one run of ``scenario`` (a short human title)."""
        if not isinstance(scenario, str) or not scenario.strip():
            raise ValueError("scenario must be a non-empty title, got %r" % (scenario,))
        counts = dict(migrations=migrations, faults=faults, lost=lost, in_error=in_error, duplicates=duplicates)
        for name, value in counts.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError("%s must be a count (int >= 0), got %r" % (name, value))
        row = self.rows.setdefault(scenario, dict.fromkeys(("runs",) + COUNTS, 0))
        row["runs"] += 1
        for name, value in counts.items():
            row[name] += value

    def merge_into(self, path):
        """Write this session's rows over those of the same scenarios, keeping the others.

        Other sessions may finish at the same time: read, merge and replace under a lock.
        """
        if not self.rows:
            return
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".lock", "w", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            merged = load_results(path)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            for scenario, row in self.rows.items():
                merged[scenario] = dict(row, updated=stamp)
            temporary = path + ".tmp"
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump({"scenarios": merged}, handle, indent=2, sort_keys=True)
                handle.write("\n")
            os.replace(temporary, path)


def load_results(path):
    """The scenarios of a results file, or none if there is no file yet."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)["scenarios"]
    except FileNotFoundError:
        return {}


@pytest.fixture(scope="session")
def ledger():
    book = Ledger()
    yield book
    book.merge_into(os.environ.get("VMOPS_RELIABILITY_RESULTS", RESULTS))
