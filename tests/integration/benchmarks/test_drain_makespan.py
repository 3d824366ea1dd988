"""The drain_makespan benchmark's pure helpers: the lower bound of the moves made and the peak receiver."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
                                "benchmarks"))

import drain_makespan  # noqa: E402

FLAVORS = {"f": {"name": "f", "vcpus": 2, "ram": 4096, "disk": 2}}
SERVERS = {name: {"name": name, "flavor": "f", "metadata": {"sim_dirty_mibps": "64"}} for name in ("x", "y")}


@pytest.mark.parametrize("moves, bandwidth, seconds", [
    # One source sends both: 2 GiB disk (2 s) + 4096 MiB (4 s, 256 MiB dirtied) + 256 MiB (0.25 s) each.
    ([("x", "a", "c"), ("y", "a", "d")], {"a": 1024, "c": 1024, "d": 1024}, 2 * 6.25),
    # Two sources, two targets: the links are free, so the longest single move.
    ([("x", "a", "c"), ("y", "b", "d")], {"a": 1024, "b": 1024, "c": 1024, "d": 1024}, 6.25),
    # Both into one slow target (512 MiB/s): each sends 2048 + 4096 + 512 + 64 MiB at best, 13.125 s.
    ([("x", "a", "t"), ("y", "b", "t")], {"a": 1024, "b": 1024, "t": 512}, 2 * 13.125),
])
def test_lower_bound_of_the_moves_made(moves, bandwidth, seconds):
    made = [{"name": name, "source": source, "target": target} for name, source, target in moves]
    assert drain_makespan.lower_bound(made, SERVERS, FLAVORS, bandwidth.get) == pytest.approx(seconds)


def test_peak_utilisation_counts_receiving_hosts_only():
    spec = {"flavors": [FLAVORS["f"]], "hosts": [{"name": "drain-0"}, {"name": "r-big"}, {"name": "r-small", "vcpus": 8,
                                                                                         "memory_mb": 16384}],
            "servers": [{"name": name, "flavor": "f"} for name in ("x", "y", "z")]}
    where = {"x": "drain-0", "y": "r-big", "z": "r-small"}
    assert drain_makespan.peak_utilisation(spec, where, ["drain-0"]) == pytest.approx((2 / 8, 4096 / 16384))


def test_fleet_puts_every_guest_on_a_drained_host_with_a_dirty_rate():
    spec = drain_makespan.fleet(drained=2, per_host=3, big_receivers=1, small_receivers=1)
    assert {server["host"] for server in spec["servers"]} == {"drain-0", "drain-1"}
    assert len(spec["servers"]) == 6
    assert all(server["metadata"]["sim_dirty_mibps"] in drain_makespan.DIRTY_MIBPS for server in spec["servers"])
    assert [host["name"] for host in spec["hosts"]] == ["drain-0", "drain-1", "recv-0", "recv-1"]
