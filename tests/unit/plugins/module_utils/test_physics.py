import pytest

from ansible_collections.vmops.migration.plugins.module_utils import physics


@pytest.mark.parametrize("memory, dirty, bandwidth, disk, seconds, rounds", [
    # 4096/1024 = 4 s (256 MiB dirtied), then 256/1024 = 0.25 s <= 0.5 s downtime: 4.25 s.
    (4096, 64, 1024, 0, 4.25, 2),
    # An idle guest: one full round, then nothing left.
    (1024, 0, 1024, 0, 1.0, 2),
    # Small enough to copy while paused.
    (512, 100, 1024, 0, 0.5, 1),
    # Block migration copies 2 GiB of disk first (2 s), then the 4.25 s of memory.
    (4096, 64, 1024, 2, 6.25, 2),
    # 8 s first round dirties 4000 MiB, 3.90625 s; then 1953.125 MiB, 1.907 s; then 953.67 MiB, 0.931 s;
    # then 465.66 MiB, 0.4547 s <= 0.5 s.
    (8192, 500, 1024, 0, 8 + 3.90625 + 1.9073486328125 + 0.9313225746154785 + 0.45474735088646412, 5),
])
def test_precopy_matches_hand_computed_rounds(memory, dirty, bandwidth, disk, seconds, rounds):
    estimate = physics.precopy(memory, dirty, bandwidth, 0.5, disk)
    assert estimate.converges
    assert estimate.seconds == pytest.approx(seconds, rel=1e-9)
    assert estimate.rounds == rounds


@pytest.mark.parametrize("dirty, bandwidth", [(1024, 1024), (2000, 1024), (10, 0)])
def test_never_converges_when_dirty_rate_reaches_bandwidth(dirty, bandwidth):
    estimate = physics.precopy(4096, dirty, bandwidth)
    assert not estimate.converges and estimate.seconds is None
    assert not physics.converges(dirty, bandwidth)


def test_just_below_bandwidth_converges():
    assert physics.converges(1023, 1024)
    assert physics.precopy(64, 1023, 1024).converges


@pytest.mark.parametrize("memory, disk, platform, expected", [
    (1024, 0, "nova", 1600),       # max(1 GiB, 2 GiB) x 800 s
    (4096, 0, "nova", 3200),
    (1024, 3, "nova", 4000),       # (2 + 3) GiB x 800 s
    (4096, 0, "kubevirt", 600),    # 4 GiB x 150 s
])
def test_completion_timeout(memory, disk, platform, expected):
    assert physics.completion_timeout_s(memory, disk, platform) == pytest.approx(expected)


def test_lower_bound_is_the_busiest_link():
    transfers = [physics.Transfer("a", "c", 1000, 100, 100), physics.Transfer("a", "d", 1000, 100, 100)]
    assert physics.lower_bound(transfers) == pytest.approx(20.0)  # a sends 2000 MiB at 100 MiB/s


def test_lower_bound_is_the_largest_move_when_links_are_free():
    transfers = [physics.Transfer("a", "c", 3000, 100, 1000), physics.Transfer("b", "d", 10, 100, 100)]
    assert physics.lower_bound(transfers) == pytest.approx(30.0)


def test_lower_bound_counts_incoming_bytes():
    transfers = [physics.Transfer(src, "t", 500, 1000, 100) for src in ("a", "b", "c")]
    assert physics.lower_bound(transfers) == pytest.approx(15.0)


def test_cold_and_empty():
    assert physics.cold_seconds(0, 1000) == physics.COLD_FIXED_S
    assert physics.cold_seconds(10, 1024) == pytest.approx(physics.COLD_FIXED_S + 10)
    assert physics.lower_bound([]) == 0.0
