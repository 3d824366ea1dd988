"""The executor against a small fake backend on a fake clock: every run finishes instantly."""

from dataclasses import replace

import pytest

from ansible_collections.vmops.migration.plugins.module_utils import executor
from ansible_collections.vmops.migration.plugins.module_utils.errors import AnswerLost, MigrationFailed
from ansible_collections.vmops.migration.plugins.module_utils.executor import (
    CANCELLED, COMPLETED, FAILED, IN_PROGRESS, Executor, Handle, Move, Policy, Progress,
)
from ansible_collections.vmops.migration.plugins.module_utils.failures import CODES, NEXT_STEPS
from ansible_collections.vmops.migration.plugins.module_utils.scheduling import Limits

GIB = 1024 ** 3


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class FakeMigration:
    def __init__(self, number, instance, source, target, started, seconds, stalls=False):
        self.id = str(number)
        self.instance, self.source, self.target = instance, source, target
        self.started, self.seconds, self.stalls = started, seconds, stalls
        self.status = IN_PROGRESS
        self.fail_at = None
        self.queued = False
        self.checks_left = 0  # polls until the platform has checked it and put it in line
        self.ended_at = None  # when an abort or force-complete ended it early


class FakeBackend:
    """Migrations that copy 1 GiB linearly over `seconds` of the fake clock (or never, when stalled).

    `behaviour[instance]` may set: seconds, stalls, refuse ({target: code} at start), fail_running
    ({target: code} halfway), lose_answer ("after" runs the start and loses the answer, "before"
    loses it without running it, once), in_flight (a migration already running at the start),
    lose_abort / lose_force_complete ("before" or "after", once, as lose_answer).
    `dies` maps a target to the fake time its compute dies: moves to it stop and report target_down.
    """

    def __init__(self, clock, hosts=("t1", "t2", "t3", "t4"), dies=None, **behaviour):
        self.clock = clock
        self.hosts = list(hosts)
        self.dies = dies or {}
        self.behaviour = behaviour
        self.migrations_by_instance = {}
        self.starts, self.aborts, self.force_completes = [], [], []
        self.peak = {"total": 0, "source": {}, "target": {}}
        self.numbers = iter(range(1, 10000))
        self.hidden = {}  # instance -> lookups that still miss its new migration record

    def _of(self, instance):
        return self.behaviour.get(instance, {})

    def _running(self):
        return [m for ms in self.migrations_by_instance.values() for m in ms if m.status == IN_PROGRESS]

    def _record_peak(self):
        running = self._running()
        self.peak["total"] = max(self.peak["total"], len(running))
        for key, attribute in (("source", "source"), ("target", "target")):
            counts = {}
            for migration in running:
                counts[getattr(migration, attribute)] = counts.get(getattr(migration, attribute), 0) + 1
            for host, count in counts.items():
                self.peak[key][host] = max(self.peak[key].get(host, 0), count)

    def _create(self, move, target):
        behaviour = self._of(move.instance)
        if target is None:
            busy = [m.target for m in self._running()]
            target = min((h for h in self.hosts if h != move.source), key=lambda h: (busy.count(h), h))
        migration = FakeMigration(next(self.numbers), move.instance, move.source, target, self.clock.now,
                                  behaviour.get("seconds", 10.0), behaviour.get("stalls", False))
        if target in behaviour.get("fail_running", {}):
            migration.fail_at = behaviour["fail_running"][target]
        self.migrations_by_instance.setdefault(move.instance, []).append(migration)
        self._record_peak()
        return migration

    def _handle(self, migration):
        return Handle(id=migration.id, status=migration.status, target=migration.target)

    # -- the backend interface ------------------------------------------------------------

    def migrations(self, move):
        if self.hidden.get(move.instance):
            self.hidden[move.instance] -= 1
            return []
        in_flight = self._of(move.instance).get("in_flight")
        if in_flight and move.instance not in self.migrations_by_instance:
            self._create(move, in_flight)
        return [self._handle(m) for m in self.migrations_by_instance.get(move.instance, [])]

    def start(self, move, target, known_ids):
        self.starts.append((move.instance, target))
        behaviour = self._of(move.instance)
        code = behaviour.get("refuse", {}).get(target)
        if code:
            raise MigrationFailed(code, "refused by the fake on %s" % target, target)
        if self.hidden.get(move.instance):
            raise MigrationFailed("RACE", "server %s is in task_state migrating" % move.instance, target)
        lose = behaviour.pop("lose_answer", None)
        if lose == "before":
            raise AnswerLost("503 before anything happened")
        migration = self._create(move, target)
        if lose == "after":
            raise AnswerLost("503 after the migration started")
        if lose == "record_late":  # accepted, recorded only after some looks, as Nova's conductor does
            self.hidden[move.instance] = behaviour.get("hidden_looks", 3)
            raise AnswerLost("timeout after the request was accepted")
        return self._handle(migration)

    def _dead(self, target):
        return target in self.dies and self.clock.now >= self.dies[target]

    def poll(self, move, handle):
        migration = next(m for m in self.migrations_by_instance[move.instance] if m.id == handle.id)
        elapsed = self.clock.now - migration.started
        if migration.status == IN_PROGRESS and self._dead(migration.target):
            return Progress(status=IN_PROGRESS, target=migration.target, host=migration.source, target_down=True)
        if migration.status == IN_PROGRESS:
            if migration.fail_at and elapsed >= migration.seconds / 2:
                migration.status = FAILED
            elif not migration.stalls and elapsed >= migration.seconds:
                migration.status = COMPLETED
        done = 0.5 if migration.stalls else min(1.0, elapsed / migration.seconds)
        progress = Progress(status=migration.status, target=migration.target,
                            host=migration.target if migration.status == COMPLETED else migration.source,
                            memory_total=GIB, memory_processed=int(GIB * done),
                            memory_remaining=int(GIB * (1 - done)))
        if migration.status == FAILED:
            progress.failure = executor.Failure(migration.fail_at, "failed on %s" % migration.target)
        return progress

    def abort(self, move, handle):
        self.aborts.append(handle.id)
        self._act(move, handle, "lose_abort", CANCELLED)

    def force_complete(self, move, handle):
        self.force_completes.append(handle.id)
        self._act(move, handle, "lose_force_complete", COMPLETED)

    def _act(self, move, handle, lose_key, status):
        lose = self._of(move.instance).pop(lose_key, None)
        if lose == "before":
            raise AnswerLost("503 before anything happened")
        migration = self._by_id(move, handle)
        migration.status, migration.ended_at = status, self.clock.now
        if lose == "after":
            raise AnswerLost("503 after it took")

    def _by_id(self, move, handle):
        return next(m for m in self.migrations_by_instance[move.instance] if m.id == handle.id)


class QueueingBackend(FakeBackend):
    """Nova's queue per source (max_concurrent_live_migrations 1): a migration requested while another
    of its source copies waits, reported as `waiting`, and starts the moment the one before it ends.
    With `checks`, a new migration is checked for that many polls before it is in line; `overtaken`
    counts the starts requested meanwhile from its source, which could reach the queue before it."""

    def __init__(self, clock, checks=0, **behaviour):
        super().__init__(clock, **behaviour)
        self.queue = []
        self.rounds = []
        self.checks = checks
        self.overtaken = 0

    def _create(self, move, target):
        self._settle()
        running = [m for m in self._running() if m.source == move.source]
        self.overtaken += sum(1 for m in running if m.checks_left)
        migration = super()._create(move, target)
        migration.checks_left = self.checks
        if any(not m.queued for m in running):
            migration.queued = True
            self.queue.append(migration)
        return migration

    def _handle(self, migration):
        return replace(super()._handle(migration), in_line=not migration.checks_left)

    def _end(self, migration):
        if migration.ended_at is not None:
            return migration.ended_at
        return float("inf") if migration.stalls else migration.started + migration.seconds

    def _settle(self):
        for migration in list(self.queue):  # oldest first, so each one sees the one it queued behind
            ahead = [m for ms in self.migrations_by_instance.values() for m in ms
                     if m.source == migration.source and not m.queued]
            free_at = max((self._end(m) for m in ahead), default=migration.started)
            if free_at <= self.clock.now:
                migration.queued, migration.started = False, max(migration.started, free_at)
                self.queue.remove(migration)

    def begin_poll_round(self, watched):
        self.rounds.append((self.clock.now, sorted(handle.id for unused_move, handle in watched)))

    def poll(self, move, handle):
        self._settle()
        migration = self._by_id(move, handle)
        if migration.checks_left:
            migration.checks_left -= 1
            return Progress(status=IN_PROGRESS, target=migration.target, host=migration.source, waiting=True,
                            in_line=False)
        if migration.queued:
            return Progress(status=IN_PROGRESS, target=migration.target, host=migration.source, waiting=True)
        return super().poll(move, handle)


def run(moves, backend=None, clock=None, replan=None, events=None, **policy):
    clock = clock or Clock()
    backend = backend or FakeBackend(clock)
    policy.setdefault("poll_interval", 1.0)
    policy.setdefault("workers", 0)
    runner = Executor(backend, Policy(**policy), replan=replan, on_event=events.append if events is not None else None,
                      clock=clock, sleep=clock.sleep)
    return runner.run(moves), backend


def moves_from(sources, per_source, targets=("t1", "t2", "t3", "t4")):
    moves = []
    for s_index, source in enumerate(sources):
        for index in range(per_source):
            target = targets[(s_index * per_source + index) % len(targets)] if targets else None
            moves.append(Move(instance="%s-vm%d" % (source, index), source=source, target=target))
    return moves


def next_host(hosts):
    def replan(move, excluded):
        return next((h for h in hosts if h not in excluded and h != move.source), None)
    return replan


@pytest.mark.parametrize("limits, overrides, peaks", [
    (Limits(per_source=1), {}, {"source": 1}),
    (Limits(per_source=2, per_target=1), {}, {"source": 2, "target": 1}),
    (Limits(per_source=0, per_target=0, per_cluster=3), {}, {"total": 3}),
    (Limits(per_source=1), {"s1": 3}, {"s1": 3, "s2": 1}),
])
def test_limits_are_never_exceeded_and_are_used(limits, overrides, peaks):
    clock = Clock()
    backend = FakeBackend(clock)
    results, unused_backend = run(moves_from(["s1", "s2"], 6), backend, clock, limits=limits, per_source=overrides)
    assert all(result.status == "completed" for result in results)
    seen = backend.peak
    for key, wanted in peaks.items():
        observed = seen["total"] if key == "total" else max(seen[key].values()) if key in ("source", "target") \
            else seen["source"][key]
        assert observed == wanted, (key, seen)


def test_scheduler_chosen_targets_are_reported_and_bounded_by_the_cluster_limit():
    clock = Clock()
    backend = FakeBackend(clock, hosts=("t1", "t2"))
    results, unused_backend = run(moves_from(["s1", "s2", "s3"], 2, targets=()), backend, clock,
                                  limits=Limits(per_source=1, per_cluster=2))
    assert all(result.status == "completed" for result in results)
    assert {result.target for result in results} == {"t1", "t2"}
    assert backend.peak["total"] == 2


def test_moves_start_in_the_given_order_when_limits_allow():
    moves = moves_from(["s1", "s2", "s3"], 2)
    results, backend = run(list(reversed(moves)), limits=Limits(per_source=0, per_cluster=1))
    assert [instance for instance, unused_target in backend.starts] == [move.instance for move in reversed(moves)]
    assert [result.instance for result in results] == [move.instance for move in reversed(moves)]


def test_a_busy_source_does_not_hold_back_moves_from_other_sources():
    moves = moves_from(["s1"], 3) + moves_from(["s2"], 1)
    unused_results, backend = run(moves, limits=Limits(per_source=1))
    assert [instance for instance, unused_target in backend.starts][:2] == ["s1-vm0", "s2-vm0"]


def test_results_carry_what_happened():
    results, unused_backend = run([Move(instance="vm", name="web", source="s1", target="t1")])
    result = results[0].to_dict()
    assert result["status"] == "completed" and result["target"] == "t1" and result["source"] == "s1"
    assert result["migration_id"] == "1" and result["attempts"] == 1 and result["failure"] is None
    assert result["bytes_transferred"] == GIB and 10.0 <= result["seconds"] <= 11.0
    assert result["started_at"].startswith("20")


@pytest.mark.parametrize("on_stall, status, aborted, forced", [
    ("abort", "aborted", True, False),
    ("fail", "failed", True, False),
    ("force_complete", "force_completed", False, True),
])
def test_stall_policy(on_stall, status, aborted, forced):
    clock = Clock()
    backend = FakeBackend(clock, vm={"stalls": True})
    results, unused_backend = run([Move("vm", "s1", "t1")], backend, clock, stall_timeout=5, on_stall=on_stall)
    result = results[0]
    assert result.status == status
    assert bool(backend.aborts) == aborted and bool(backend.force_completes) == forced
    if aborted:
        assert result.failure.code == "STALLED" and result.target == "s1"
        assert 5 <= result.seconds <= 8
    else:
        assert result.target == "t1" and result.failure is None


def test_timeout_aborts_and_fails_with_timeout():
    clock = Clock()
    backend = FakeBackend(clock, vm={"seconds": 100})
    results, unused_backend = run([Move("vm", "s1", "t1", timeout_s=20)], backend, clock)
    assert results[0].status == "failed" and results[0].failure.code == "TIMEOUT"
    assert backend.aborts == ["1"] and results[0].target == "s1"


@pytest.mark.parametrize("move_action, on_timeout, status", [
    ("force_complete", "abort", "force_completed"),  # the source's gathered timeout action
    (None, "force_complete", "force_completed"),
    ("abort", "force_complete", "failed"),  # the move's own action wins over the run's default
    (None, "abort", "failed"),
])
def test_timeout_action(move_action, on_timeout, status):
    clock = Clock()
    backend = FakeBackend(clock, vm={"seconds": 100})
    results, unused_backend = run([Move("vm", "s1", "t1", timeout_s=20, timeout_action=move_action)], backend, clock,
                                  on_timeout=on_timeout)
    assert results[0].status == status
    if status == "force_completed":
        assert backend.force_completes and not backend.aborts and results[0].target == "t1"
    else:
        assert results[0].failure.code == "TIMEOUT" and backend.aborts == ["1"] and not backend.force_completes


def test_a_zero_timeout_means_none_as_in_nova():
    clock = Clock()
    backend = FakeBackend(clock, vm={"seconds": 100})
    results, unused_backend = run([Move("vm", "s1", "t1", memory_mib=1024, timeout_s=0)], backend, clock)
    assert results[0].status == "completed" and not backend.aborts


def test_on_timeout_must_be_a_timeout_action():
    with pytest.raises(ValueError, match="on_timeout must be one of abort, force_complete"):
        Policy(on_timeout="pause")


def test_default_move_timeout_comes_from_physics():
    policy = Policy()
    assert policy.timeout_for(Move("vm", "s1", memory_mib=4096, disk_gib=10)) == 800 * (4 + 10)
    assert policy.timeout_for(Move("vm", "s1")) is None
    assert Policy(move_timeout_s=30).timeout_for(Move("vm", "s1", memory_mib=4096)) == 30


@pytest.mark.parametrize("max_attempts, status, attempts, final_target", [
    (1, "failed", 1, "s1"),
    (2, "failed", 2, "s1"),
    (3, "completed", 3, "t3"),
])
@pytest.mark.parametrize("where", ["refuse", "fail_running"])
def test_retry_on_another_target_up_to_max_attempts(where, max_attempts, status, attempts, final_target):
    clock = Clock()
    backend = FakeBackend(clock, vm={where: {"t1": "DEST_UNAVAILABLE", "t2": "INSUFFICIENT_RESOURCES"}})
    results, unused_backend = run([Move("vm", "s1", "t1")], backend, clock, max_attempts=max_attempts,
                                  replan=next_host(["t1", "t2", "t3"]))
    result = results[0]
    assert (result.status, result.attempts, result.target) == (status, attempts, final_target)
    assert [target for unused_instance, target in backend.starts] == ["t1", "t2", "t3"][:attempts]
    if status == "failed":
        assert result.failure.code == ["DEST_UNAVAILABLE", "INSUFFICIENT_RESOURCES"][attempts - 1]


def test_no_retry_when_replan_has_no_other_target():
    clock = Clock()
    backend = FakeBackend(clock, vm={"refuse": {"t1": "NO_VALID_HOST"}})
    results, unused_backend = run([Move("vm", "s1", "t1")], backend, clock, max_attempts=3, replan=next_host(["t1"]))
    assert results[0].status == "failed" and results[0].attempts == 1


@pytest.mark.parametrize("code", ["INSTANCE_NOT_FOUND", "RACE", "SOURCE_DELETED"])
def test_failures_about_the_guest_are_not_retried(code):
    clock = Clock()
    backend = FakeBackend(clock, vm={"refuse": {"t1": code}})
    results, unused_backend = run([Move("vm", "s1", "t1")], backend, clock, max_attempts=3, replan=next_host(["t2", "t3"]))
    assert results[0].attempts == 1 and results[0].failure.code == code


@pytest.mark.parametrize("code", CODES)
def test_every_failure_code_is_reported_with_what_to_do_next(code):
    clock = Clock()
    backend = FakeBackend(clock, vm={"refuse": {"t1": code}})
    results, unused_backend = run([Move("vm", "s1", "t1")], backend, clock)
    failure = results[0].to_dict()["failure"]
    assert failure == {"code": code, "message": "refused by the fake on t1", "next_step": NEXT_STEPS[code]}


def test_unknown_failure_code_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown failure code"):
        executor.Failure("OOPS", "no")


def test_in_flight_migration_is_adopted_not_started_again():
    clock = Clock()
    backend = FakeBackend(clock, vm={"in_flight": "t2"})
    results, unused_backend = run([Move("vm", "s1", "t1")], backend, clock)
    assert backend.starts == []
    assert results[0].adopted and results[0].status == "completed" and results[0].target == "t2"


@pytest.mark.parametrize("lost, starts", [("after", 1), ("before", 2)])
def test_lost_start_answer_is_never_duplicated(lost, starts):
    clock = Clock()
    backend = FakeBackend(clock, vm={"lose_answer": lost})
    results, unused_backend = run([Move("vm", "s1", "t1")], backend, clock)
    assert len(backend.starts) == starts
    assert len(backend.migrations_by_instance["vm"]) == 1
    assert results[0].status == "completed"


def test_a_resend_refused_as_a_race_adopts_the_lost_start_once_its_record_shows():
    clock = Clock()
    backend = FakeBackend(clock, vm={"lose_answer": "record_late", "hidden_looks": 4})
    results, unused_backend = run([Move("vm", "s1", "t1")], backend, clock)
    assert len(backend.starts) == 2 and len(backend.migrations_by_instance["vm"]) == 1
    assert results[0].status == "completed" and results[0].adopted


def test_cancelled_by_someone_else_is_aborted_code():
    clock = Clock()
    backend = FakeBackend(clock, vm={"seconds": 50})

    def operator_aborts(event):
        if event["event"] == "progress" and clock.now >= 3:
            backend.migrations_by_instance["vm"][0].status = CANCELLED

    results, unused_backend = run([Move("vm", "s1", "t1")], backend, clock, events=_Calls(operator_aborts))
    assert results[0].status == "failed" and results[0].failure.code == "ABORTED"


class _Calls(list):
    """An events list that also calls a hook on each event."""

    def __init__(self, hook):
        super().__init__()
        self.hook = hook

    def append(self, event):
        super().append(event)
        self.hook(event)


def test_run_deadline_skips_waiting_moves_and_aborts_running_ones():
    clock = Clock()
    backend = FakeBackend(clock, **{"s1-vm%d" % i: {"seconds": 30} for i in range(3)})
    results, unused_backend = run(moves_from(["s1"], 3), backend, clock, deadline_s=40)
    assert [r.status for r in results] == ["completed", "failed", "skipped"]
    assert results[1].failure.code == "TIMEOUT" and results[2].failure.code == "TIMEOUT"


def test_wait_false_returns_once_started():
    results, backend = run(moves_from(["s1"], 3), wait=False)
    assert [r.status for r in results] == ["in_progress"] * 3
    assert len(backend.starts) == 3 and backend.aborts == []


def test_events_report_progress_and_totals():
    events = []
    run(moves_from(["s1", "s2"], 2), events=events, limits=Limits(per_source=1))
    kinds = [event["event"] for event in events]
    assert kinds.count("started") == 4 and kinds.count("finished") == 4 and "progress" in kinds
    last = events[-1]["totals"]
    assert (last["done"], last["total"], last["running"]) == (4, 4, 0)
    assert last["bytes_transferred"] == 4 * GIB and last["eta_s"] == 0.0
    middle = next(event for event in events if event["event"] == "finished")["totals"]
    assert middle["done"] == 1 and middle["eta_s"] > 0


def test_thread_pool_starts_run_concurrently_on_real_time():
    import time

    class Slow(FakeBackend):
        def start(self, move, target, known_ids):
            time.sleep(0.05)
            return super().start(move, target, known_ids)

    clock = Clock()
    backend = Slow(clock, **{"s%d-vm0" % i: {"seconds": 0.01} for i in range(8)})
    began = time.monotonic()
    results, unused_backend = run(moves_from(["s%d" % i for i in range(8)], 1), backend, clock, workers=8,
                                  limits=Limits(per_source=1))
    assert all(r.status == "completed" for r in results)
    assert time.monotonic() - began < 0.3  # eight 50 ms starts in parallel, not 400 ms in a row


def test_policy_rejects_bad_values():
    with pytest.raises(ValueError, match="on_stall"):
        Policy(on_stall="ignore")
    with pytest.raises(ValueError, match="max_attempts"):
        Policy(max_attempts=0)


@pytest.mark.parametrize("move_type, status, reported, expected", [
    ("live", "completed", 0, 2048 * 1024 * 1024),             # ended between polls: at least its memory
    ("live", "completed", 3 * GIB, 3 * GIB),                   # more than memory (dirty rounds): as reported
    ("live", "aborted", 100, 100),                             # not moved: only what was reported
    ("cold", "completed", 0, 0),                               # a cold move copies no memory
])
def test_bytes_moved_counts_a_finished_live_moves_memory(move_type, status, reported, expected):
    move = executor.Move(instance="i", source="a", target="b", type=move_type, memory_mib=2048)
    progress = executor.Progress(status="running", memory_processed=reported) if reported else None
    assert executor._bytes_moved(move, status, progress) == expected  # pylint: disable=protected-access


def test_a_target_that_dies_has_its_moves_aborted_and_replanned_and_gets_no_new_ones():
    clock = Clock()
    backend = FakeBackend(clock, dies={"t1": 3.0})
    moves = [Move("vm%d" % i, "s%d" % i, "t1") for i in range(3)]
    results, unused_backend = run(moves, backend, clock, limits=Limits(per_target=1), max_attempts=2,
                                  replan=next_host(["t1", "t2", "t3"]))
    assert [result.status for result in results] == ["completed"] * 3
    assert all(result.target in ("t2", "t3") for result in results)
    assert [start for start in backend.starts if start[1] == "t1"] == [("vm0", "t1")]
    assert backend.aborts == ["1"]  # the one running to t1 when it died


def test_without_retries_moves_to_a_dead_target_fail_and_the_guests_stay_on_their_sources():
    clock = Clock()
    backend = FakeBackend(clock, dies={"t1": 3.0})
    moves = [Move("vm%d" % i, "s%d" % i, "t1") for i in range(3)] + [Move("other", "s9", "t2")]
    results, unused_backend = run(moves, backend, clock, limits=Limits(per_target=1))
    assert [(result.status, result.target) for result in results] == [
        ("failed", "s0"), ("failed", "s1"), ("failed", "s2"), ("completed", "t2")]
    assert {result.failure.code for result in results[:3]} == {"DEST_UNAVAILABLE"}
    assert "t1 went down" in results[1].failure.message and results[1].attempts == 0
    assert backend.starts == [("vm0", "t1"), ("other", "t2")]


@pytest.mark.parametrize("lost, aborts", [("before", 2), ("after", 1)])
def test_an_abort_whose_answer_was_lost_is_sent_again_while_the_migration_runs(lost, aborts):
    clock = Clock()
    backend = FakeBackend(clock, vm={"stalls": True, "lose_abort": lost})
    results, unused_backend = run([Move("vm", "s1", "t1")], backend, clock, stall_timeout=5, on_stall="abort")
    assert results[0].status == "aborted" and results[0].failure.code == "STALLED"
    assert backend.aborts == ["1"] * aborts


@pytest.mark.parametrize("lost, status, aborts", [("before", "aborted", ["1"]), ("after", "force_completed", [])])
def test_a_force_complete_whose_answer_was_lost_never_stops_the_run(lost, status, aborts):
    clock = Clock()
    backend = FakeBackend(clock, vm={"stalls": True, "lose_force_complete": lost})
    results, unused_backend = run([Move("vm", "s1", "t1")], backend, clock, stall_timeout=5, on_stall="force_complete")
    assert results[0].status == status
    assert backend.force_completes == ["1"] and backend.aborts == aborts


def test_a_target_that_refuses_a_start_as_unavailable_is_not_tried_again_in_the_run():
    clock = Clock()
    refuse = {"refuse": {"t1": "DEST_UNAVAILABLE"}}
    backend = FakeBackend(clock, vm0=dict(refuse), vm1=dict(refuse), vm2=dict(refuse))
    moves = [Move("vm%d" % i, "s%d" % i, "t1") for i in range(3)]
    results, unused_backend = run(moves, backend, clock, limits=Limits(per_target=1), max_attempts=2,
                                  replan=next_host(["t1", "t2"]))
    assert [(result.status, result.target) for result in results] == [("completed", "t2")] * 3
    assert [start for start in backend.starts if start[1] == "t1"] == [("vm0", "t1")]


def test_queueing_ahead_keeps_each_source_busy_without_a_gap_between_moves():
    moves = moves_from(["s1", "s2"], 4)
    ends = {}
    for queue_ahead in (0, 1):
        clock = Clock()
        backend = QueueingBackend(clock)
        results, unused_backend = run(moves, backend, clock, limits=Limits(per_source=1), poll_interval=3.0,
                                      queue_ahead=queue_ahead)
        assert all(result.status == "completed" for result in results)
        assert max(backend.peak["source"].values()) == 1 + queue_ahead  # handed over, Nova queues the extra one
        ends[queue_ahead] = clock.now
    # Four moves of 10 s per source: 40 s when Nova starts each at once, plus the poll that sees the last end.
    assert 40 <= ends[1] <= 43 < ends[0]


def test_a_sources_next_move_is_handed_over_only_once_the_platform_put_the_one_before_in_line():
    clock = Clock()
    backend = QueueingBackend(clock, checks=1)
    results, unused_backend = run(moves_from(["s1", "s2"], 4), backend, clock, limits=Limits(per_source=1),
                                  queue_ahead=2)
    assert all(result.status == "completed" for result in results)
    assert backend.overtaken == 0
    assert max(backend.peak["source"].values()) == 3  # the queue still fills


def test_a_queued_moves_timeout_counts_from_leaving_the_queue():
    clock = Clock()
    backend = QueueingBackend(clock)
    moves = [Move("vm%d" % index, "s1", "t1", timeout_s=15) for index in range(3)]
    results, unused_backend = run(moves, backend, clock, queue_ahead=1)
    assert [result.status for result in results] == ["completed"] * 3 and not backend.aborts


def test_queueing_ahead_applies_to_live_moves_only():
    clock = Clock()
    backend = QueueingBackend(clock)
    moves = [Move("vm%d" % index, "s1", "t1", type="cold") for index in range(3)]
    unused_results, unused_backend = run(moves, backend, clock, queue_ahead=2)
    assert backend.peak["source"]["s1"] == 1


def test_each_poll_round_is_announced_once_with_every_running_move():
    clock = Clock()
    backend = QueueingBackend(clock)
    unused_results, unused_backend = run(moves_from(["s1", "s2"], 2), backend, clock, poll_interval=2.0,
                                         limits=Limits(per_source=0))
    times = [when for when, unused_ids in backend.rounds]
    assert times == sorted(set(times)) and all(later - earlier >= 2.0 for earlier, later in zip(times, times[1:]))
    assert backend.rounds[0][1] == ["1", "2", "3", "4"]
