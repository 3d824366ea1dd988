import pytest

from ansible_collections.vmops.migration.plugins.module_utils import scheduling
from ansible_collections.vmops.migration.plugins.module_utils.snapshot import Settings
from tests.unit.clusters import host, instance, snapshot


def _moves(pairs, memory=1024):
    snap = snapshot([host(name) for name in sorted({n for pair in pairs for n in pair})],
                    [instance("vm-%d" % i, src, memory_mib=memory, dirty_rate_mibps=0) for i, (src, unused_dst) in enumerate(pairs)])
    return [scheduling.Move(snap.instances[i], src, dst, "live", False, priority=(i,)) for i, (src, dst) in enumerate(pairs)]


def _peak(moves, key):
    events = sorted([(m.start, 1, key(m)) for m in moves] + [(m.start + m.seconds, -1, key(m)) for m in moves])
    running, peak = {}, {}
    for unused_time, delta, name in events:
        running[name] = running.get(name, 0) + delta
        peak[name] = max(peak.get(name, 0), running[name])
    return max(peak.values())


@pytest.mark.parametrize("limits, key, most", [
    (scheduling.Limits(per_source=1), lambda m: m.source, 1),
    (scheduling.Limits(per_source=2), lambda m: m.source, 2),
    (scheduling.Limits(per_source=0, per_target=1), lambda m: m.target, 1),
    (scheduling.Limits(per_source=0, per_cluster=3), lambda m: "all", 3),
])
def test_limits_never_exceeded(limits, key, most):
    moves = _moves([("a", "x"), ("a", "y"), ("a", "x"), ("b", "y"), ("b", "x"), ("a", "y")])
    started, unused_makespan = scheduling.schedule(moves, limits, lambda host: 1024, Settings(), "nova")
    assert len(started) == 6
    assert _peak(started, key) <= most


def test_one_source_at_a_time_runs_back_to_back():
    moves = _moves([("a", "x"), ("a", "y"), ("a", "z")])
    started, makespan = scheduling.schedule(moves, scheduling.Limits(per_source=1), lambda host: 1024, Settings(), "nova")
    assert [m.wave for m in started] == [0, 1, 2]
    assert makespan == pytest.approx(sum(m.seconds for m in started))


def test_parallel_moves_share_the_source_link():
    moves = _moves([("a", "x"), ("a", "y")])
    started, unused_makespan = scheduling.schedule(moves, scheduling.Limits(per_source=2), lambda host: 1024, Settings(), "nova")
    assert started[0].start == started[1].start == 0
    # An idle 1 GiB guest alone on the link takes 1 s; the second to start gets half the link.
    assert started[0].seconds == pytest.approx(1.0)
    assert started[1].seconds == pytest.approx(2.0)


def test_a_source_starts_a_move_into_an_idle_target_before_one_that_would_share_a_target():
    # Priority order sends both sources to x first; b takes its move to y instead, so no link is shared.
    moves = _moves([("a", "x"), ("b", "x"), ("a", "y"), ("b", "y")])
    started, makespan = scheduling.schedule(moves, scheduling.Limits(per_source=1), lambda host: 1024, Settings(), "nova")
    assert sorted((m.wave, m.source, m.target) for m in started) == [(0, "a", "x"), (0, "b", "y"), (1, "a", "y"), (1, "b", "x")]
    assert _peak(started, lambda m: m.target) == 1
    assert makespan == pytest.approx(2.0)


def test_dependent_move_waits_for_the_room_it_needs():
    moves = _moves([("a", "b"), ("b", "c")])  # chosen order: a->b relies on nothing, b->c frees b
    moves.reverse()  # now b->c first, then a->b which needs b's room
    scheduling.link_dependencies(moves)
    started, unused_makespan = scheduling.schedule(moves, scheduling.Limits(per_source=0), lambda host: 1024, Settings(), "nova")
    first, second = started
    assert (first.source, second.source) == ("b", "a")
    assert second.start >= first.start + first.seconds


def test_lower_bound_of_scheduled_moves_not_above_makespan():
    moves = _moves([("a", "x"), ("a", "y"), ("b", "x")], memory=4096)
    started, makespan = scheduling.schedule(moves, scheduling.Limits(per_source=1), lambda host: 1024, Settings(), "nova")
    assert scheduling.lower_bound(started, lambda host: 1024) <= makespan + 1e-9
