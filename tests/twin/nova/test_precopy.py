"""The pre-copy model the simulated hypervisor steps through (no twin needed)."""
import pytest

from twin.nova.precopy import GIB, MIB, PreCopy


def _run(model, bandwidth_mibps, step_s=0.1, limit_s=10_000):
    while not (model.done or model.failed) and model.elapsed < limit_s:
        model.advance(step_s, bandwidth_mibps * MIB)
    return model


@pytest.mark.parametrize("memory_gib, dirty, bandwidth, expected_s", [
    (4, 64, 1024, 4.0 + 0.25),  # one full round, then 256 MiB fits the 0.5 s downtime
    (2, 0, 1000, 2.048),
    (2, 500, 1000, 2.048 + 1.024 + 0.512 + 0.256),  # halves until 256 MiB fits
])
def test_memory_rounds_match_the_formula(memory_gib, dirty, bandwidth, expected_s):
    model = _run(PreCopy(memory_gib * GIB, 0, dirty * MIB), bandwidth)
    assert model.done and model.elapsed == pytest.approx(expected_s, abs=1e-6)


def test_disk_goes_first_at_the_same_bandwidth():
    model = _run(PreCopy(2 * GIB, 10 * GIB, 0), 1024)
    assert model.done and model.elapsed == pytest.approx(10 + 2, abs=1e-6)


def test_dirty_rate_at_bandwidth_never_converges_until_paused():
    model = _run(PreCopy(2 * GIB, 0, 1000 * MIB), 1000, limit_s=300)
    assert not model.done and model.memory_remaining == 2 * GIB
    model.pause()
    assert _run(model, 1000).done


def test_fail_halfway_through_first_round():
    model = _run(PreCopy(2 * GIB, 0, 50 * MIB, fail_halfway=True), 1000)
    assert model.failed and not model.done and model.memory_processed == pytest.approx(GIB, rel=0.05)
