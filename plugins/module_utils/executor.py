# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Carry out a set of moves concurrently, within limits, watching each one until it ends.

Backend-agnostic: everything platform-specific goes through a backend object (the Nova
adapter, a KubeVirt adapter, or a fake in tests) with these methods:

- ``migrations(move)``: the server's migrations as `Handle`s, oldest first, each with a
  `status` (IN_PROGRESS, COMPLETED, FAILED, CANCELLED).
- ``start(move, target, known_ids)``: start the move (target None: the scheduler chooses) and
  return its `Handle`; `known_ids` are the migration ids that existed before. Raises
  `MigrationFailed` when refused, `AnswerLost` when the answer never came.
- ``poll(move, handle)``: a `Progress`; raises `MigrationFailed` when the move cannot go on.
  `Progress.target_down` says the target's compute died under a running move.
- ``abort(move, handle)`` and ``force_complete(move, handle)``.

One thread pool makes the blocking start calls (a live-migrate POST takes ~0.4 s on Nova); one
loop in the caller's thread starts moves in the given order whenever the limits have room and
polls every running move once per round, each `poll_interval`. A backend may also have
``begin_poll_round(watched)``, called with the round's (move, handle) pairs before their polls, to
read them all with one request. No move is ever started twice: an in-flight migration of the
server is adopted, and a start whose answer was lost is looked up before it is sent again (a
re-send refused as a race means the first was accepted: its migration is awaited and adopted).

Queueing ahead (`Policy.queue_ahead`, live moves only): a source gets that many live moves
beyond its limit, which the platform queues (Nova per source by max_concurrent_live_migrations)
and starts the moment a running one ends, so no source idles for a poll and a request between
two moves. A queued move reports `Progress.waiting`; its timeout and stall timer start when it
leaves the queue. The platform runs a source's queue in the order the moves reached it, and the
plan's order keeps moves of different sources off each other's targets; requests sent together
can reach the queue in any order (Nova checks each one before it queues it), so a source's next
move is handed over only once the platform has put the one before it in line (`Handle.in_line`,
`Progress.in_line`).

Stall and timeout handling keeps the guest safe: an abort leaves it running on its source.
`on_stall`:
- ``abort``: abort the migration; the move ends `aborted` (code STALLED), the run goes on.
- ``force_complete``: pause the guest so the rest is copied; ends `force_completed`. If it
  still makes no progress for another `stall_timeout`, it is aborted like ``abort``.
- ``fail``: abort the migration too (never leave a migration running that nobody watches), and
  the move ends `failed` (code STALLED), so the caller's run fails.
A live move running longer than its timeout gets its timeout action (Nova's
live_migration_timeout_action: the move's own, else `on_timeout`): ``abort`` aborts it and it
ends `failed` (code TIMEOUT); ``force_complete`` forces it to complete once, as Nova does, and
from then on only the stall policy can stop it. Cold moves and evacuations are aborted. A move whose
abort does not take within `abort_grace_s` ends `failed` (UNKNOWN), naming the migration. An abort
or force-complete whose answer was lost is sent again at the next poll while the migration runs.

A target whose compute dies stays dead for the rest of the run: its running moves are aborted
(the guests stay on their sources) and re-planned elsewhere like a failed start, and waiting moves
bound for it are re-planned before they start, so it gets no new moves. A target that refuses a
start as unavailable (DEST_UNAVAILABLE: down, disabled) is treated the same way.
"""

from __future__ import annotations

import datetime
import functools
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from ansible_collections.vmops.migration.plugins.module_utils import physics
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import LIVE
from ansible_collections.vmops.migration.plugins.module_utils.errors import AnswerLost, MigrationFailed
from ansible_collections.vmops.migration.plugins.module_utils.failures import Failure
from ansible_collections.vmops.migration.plugins.module_utils.scheduling import Limits, Link

# Migration states a backend reports.
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
FAILED = "failed"
CANCELLED = "cancelled"

# How a move ends, in results.
STATUS_COMPLETED = "completed"
STATUS_FORCE_COMPLETED = "force_completed"
STATUS_FAILED = "failed"
STATUS_ABORTED = "aborted"
STATUS_SKIPPED = "skipped"
STATUS_IN_PROGRESS = "in_progress"  # started with wait=false

STALL_POLICIES = ("abort", "force_complete", "fail")
TIMEOUT_ACTIONS = ("abort", "force_complete")
# A start whose answer was lost is sent again at most this often, after looking each time.
RESENDS = 2
# A re-send refused as a race means the lost start was accepted: its record is looked for this long.
RECORD_PATIENCE_S, RECORD_LOOK_S = 30.0, 0.5
# Consecutive poll errors (after the backend's own retries) before a move is given up as UNKNOWN.
MAX_POLL_ERRORS = 5
_BYTE_FIELDS = ("memory_total", "memory_processed", "memory_remaining", "disk_total", "disk_processed", "disk_remaining")
# How often the loop checks for finished start calls while some are in flight.
START_CHECK_S = 0.05

MIB = 1024 * 1024


@dataclass
class Move:
    """One instance to move. `target` None lets the platform's scheduler choose."""

    instance: str
    source: str
    target: str | None = None
    type: str = LIVE
    name: str | None = None
    memory_mib: int | None = None
    disk_gib: float = 0.0
    options: dict = field(default_factory=dict)
    timeout_s: float | None = None  # 0: no timeout (Nova's completion timeout 0)
    timeout_action: str | None = None


@dataclass
class Handle:
    """A migration a backend started or found; `data` is the backend's own."""

    id: str
    status: str = IN_PROGRESS
    target: str | None = None
    data: dict = field(default_factory=dict)
    in_line: bool = True  # its place among the source's moves is fixed: a later start cannot overtake it


@dataclass
class Progress:
    """What a poll saw. Byte counts are None until the platform reports them."""

    status: str
    host: str | None = None  # where the instance is now (after the move: the actual target)
    target: str | None = None  # where it is going, once known
    memory_total: int | None = None
    memory_processed: int | None = None
    memory_remaining: int | None = None
    disk_total: int | None = None
    disk_processed: int | None = None
    disk_remaining: int | None = None
    failure: Failure | None = None
    target_down: bool = False  # the target's compute service is down while the move runs
    waiting: bool = False  # accepted but queued by the platform: nothing is copied yet
    in_line: bool = True  # as Handle.in_line

    @property
    def remaining(self):
        if self.memory_remaining is None and self.disk_remaining is None:
            return None
        return (self.memory_remaining or 0) + (self.disk_remaining or 0)

    @property
    def transferred(self):
        return (self.memory_processed or 0) + (self.disk_processed or 0)


@dataclass
class Policy:
    """How a run behaves. `per_source` overrides the per-source limit for some hosts.

    `limits.per_target` binds moves to named targets; a scheduler-chosen move counts against
    its target only once the backend names it, so it holds back later starts but cannot be
    kept off a busy target. Use `per_cluster` to bound scheduler-chosen moves.
    With `wait=False` the limits apply to the start calls only: the platform queues the rest
    (Nova per source by max_concurrent_live_migrations).
    """

    limits: Limits = field(default_factory=Limits)
    per_source: dict = field(default_factory=dict)
    poll_interval: float = 2.0
    stall_timeout: float | None = None
    on_stall: str = "abort"
    on_timeout: str = "abort"
    max_attempts: int = 1
    move_timeout_s: float | None = None
    deadline_s: float | None = None
    abort_grace_s: float = 120.0
    wait: bool = True
    workers: int = 4
    platform: str = "nova"
    queue_ahead: int = 0

    def __post_init__(self):
        if self.on_stall not in STALL_POLICIES:
            raise ValueError("on_stall must be one of %s" % ", ".join(STALL_POLICIES))
        if self.on_timeout not in TIMEOUT_ACTIONS:
            raise ValueError("on_timeout must be one of %s" % ", ".join(TIMEOUT_ACTIONS))
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.queue_ahead < 0:
            raise ValueError("queue_ahead must be >= 0")

    def handover_limits(self, move):
        """(limits, per-source overrides) for handing `move` to the platform: a live move may queue ahead."""
        if self.queue_ahead == 0 or move.type != LIVE:
            return self.limits, self.per_source
        return self._live_handover_limits

    @functools.cached_property
    def _live_handover_limits(self):
        # Asked for every waiting move at every turn of the executor's loop: built once.
        return (replace(self.limits, per_source=_plus(self.limits.per_source, self.queue_ahead)),
                {host: _plus(limit, self.queue_ahead) for host, limit in self.per_source.items()})

    def timeout_for(self, move):
        """The move's own timeout, else the run's, else the hypervisor's completion timeout."""
        if move.timeout_s is not None:
            return move.timeout_s or None
        if self.move_timeout_s is not None:
            return self.move_timeout_s
        if move.memory_mib is not None:
            return physics.completion_timeout_s(move.memory_mib, move.disk_gib, self.platform)
        return None


def _plus(limit, extra):
    return limit + extra if limit > 0 else 0  # 0 is no limit


@dataclass
class Result:
    instance: str
    name: str | None
    source: str
    target: str | None
    type: str
    status: str
    migration_id: str | None = None
    started_at: str | None = None
    seconds: float | None = None
    bytes_transferred: int = 0
    attempts: int = 0
    adopted: bool = False
    failure: Failure | None = None

    @property
    def succeeded(self):
        return self.status in (STATUS_COMPLETED, STATUS_FORCE_COMPLETED)

    def to_dict(self):
        return {
            "instance": self.instance, "name": self.name, "source": self.source, "target": self.target,
            "type": self.type, "status": self.status, "migration_id": self.migration_id,
            "started_at": self.started_at, "seconds": self.seconds, "bytes_transferred": self.bytes_transferred,
            "attempts": self.attempts, "adopted": self.adopted,
            "failure": self.failure.to_dict() if self.failure else None,
        }


class _Slot:
    """What a running move occupies in the limits; an unknown target is a bucket of its own."""

    def __init__(self, move):
        self.source = move.source
        self.target = move.target if move.target is not None else object()


class _Task:
    def __init__(self, move):
        self.move = move
        self.attempts = 0
        self.excluded = []
        self.slot = None
        self.future = None
        self.handle = None
        self.adopted = False
        self.started_mono = None
        self.running_mono = None  # since when it copies (not queued): its timeout counts from here
        self.started_at = None
        self.progress = None
        self.best_remaining = None
        self.progress_mono = None
        self.forced = False
        self.abort_reason = None  # (Failure, final status) once we asked for an abort
        self.abort_mono = None
        self.abort_sent = False  # False again when the abort's answer was lost: sent again at the next poll
        self.retry_after_abort = False  # the abort was ours because the target died: re-plan the move
        self.poll_errors = 0
        self.result = None


class Executor:
    """Runs moves with a backend. `clock`, `sleep` and `wall` are injectable for tests;
    `replan(move, excluded_targets)` returns another target for a retry, or None."""

    def __init__(self, backend, policy=None, replan=None, on_event=None,
                 clock=time.monotonic, sleep=time.sleep, wall=None):
        self.backend = backend
        self.policy = policy or Policy()
        self.replan = replan
        self.on_event = on_event
        self.clock = clock
        self.sleep = sleep
        self.wall = wall or (lambda: datetime.datetime.now(datetime.timezone.utc))
        self._link = Link()
        self._tasks = []
        self._run_started = None
        self._next_round = 0.0
        self._dead_targets = set()

    # -- the loop -------------------------------------------------------------------------

    def run(self, moves):
        """Carry out `moves` (in this priority order); return one `Result` per move, same order."""
        self._tasks = [_Task(move) for move in moves]
        self._run_started = self.clock()
        waiting = list(self._tasks)
        starting, running = [], []
        pool = ThreadPoolExecutor(max_workers=self.policy.workers) if self.policy.workers > 0 else None
        try:
            while waiting or starting or running:
                now = self.clock()
                if self._past_deadline(now):
                    self._skip_all(waiting, "the run's timeout passed before this move could start")
                    waiting = []
                    for task in running:
                        self._request_abort(task, Failure("TIMEOUT", "the run's timeout passed"), STATUS_FAILED)
                waiting = self._steer_clear_of_dead_targets(waiting)
                for task in self._startable(waiting, self._sources_out_of_line(starting + running)):
                    waiting.remove(task)
                    self._launch(task, pool)
                    starting.append(task)
                for task in [t for t in starting if t.future.done()]:
                    starting.remove(task)
                    if self._started(task):
                        running.append(task)
                    elif task.result is None:
                        waiting.insert(0, task)  # retry on another target, ahead of the rest
                if running and self.clock() >= self._next_round:
                    self._poll_round(running)
                for task in list(running):
                    if task.result is not None or task.handle is None:
                        running.remove(task)
                        if task.result is None:
                            waiting.insert(0, task)  # failed here, retried on another target
                if waiting or starting or running:
                    self.sleep(self._pause(starting, running))
        finally:
            if pool is not None:
                pool.shutdown(wait=True)
        return [task.result for task in self._tasks]

    def _pause(self, starting, running):
        if starting:
            return START_CHECK_S
        if not running:
            return 0.0
        return max(0.0, self._next_round - self.clock())

    def _poll_round(self, running):
        self._next_round = self.clock() + self.policy.poll_interval
        watched = [task for task in running if task.result is None and task.handle is not None]
        begin = getattr(self.backend, "begin_poll_round", None)
        if begin is not None and watched:
            try:
                begin([(task.move, task.handle) for task in watched])
            except Exception:  # a failed shared read costs speed only: each poll then reads its own migration
                pass
        for task in watched:
            self._watch(task)

    def _past_deadline(self, now):
        return self.policy.deadline_s is not None and now - self._run_started >= self.policy.deadline_s

    def _steer_clear_of_dead_targets(self, waiting):
        """Re-plan (or fail) waiting moves bound for a target that died; the rest wait on."""
        still = []
        for task in waiting:
            target = task.move.target
            if target in self._dead_targets:
                self._failed(task, Failure("DEST_UNAVAILABLE", "target %s went down during the run" % target), target)
            if task.result is None:
                still.append(task)
        return still

    def _startable(self, waiting, out_of_line):
        """The waiting moves to start now, in order; a source in `out_of_line` queues nothing more yet."""
        chosen = []
        for task in waiting:
            queues = self._queues_ahead(task.move)
            if queues and task.move.source in out_of_line:
                continue
            slot = _Slot(task.move)
            if self._link.fits(slot, *self.policy.handover_limits(task.move)):
                self._link.add(slot, 1)
                task.slot = slot
                chosen.append(task)
                if task.move.type == LIVE:
                    out_of_line.add(task.move.source)
        return chosen

    def _queues_ahead(self, move):
        """Whether `move`, handed over now, would wait in the platform's queue behind the source's others."""
        if self.policy.queue_ahead == 0 or move.type != LIVE:
            return False
        limit = self.policy.per_source.get(move.source, self.policy.limits.per_source)
        return 0 < limit <= self._link.outgoing.get(move.source, 0)

    @staticmethod
    def _sources_out_of_line(handed):
        """Sources with a live move the platform has not put in line yet (or whose start is on its way)."""
        return {task.move.source for task in handed
                if task.move.type == LIVE and (task.handle is None or not task.progress.in_line)}

    def _release(self, task):
        if task.slot is not None:
            self._link.add(task.slot, -1)
            task.slot = None

    # -- starting -------------------------------------------------------------------------

    def _launch(self, task, pool):
        task.attempts += 1
        if pool is None:
            future = Future()
            try:
                future.set_result(self._start(task.move))
            except Exception as error:  # handed to _started like a pool future's exception
                future.set_exception(error)
            task.future = future
        else:
            task.future = pool.submit(self._start, task.move)

    def _start(self, move):
        """(handle, adopted): adopt the server's in-flight migration, else start one, never twice."""
        known = self.backend.migrations(move)
        for handle in known:
            if handle.status == IN_PROGRESS:
                return handle, True
        known_ids = {handle.id for handle in known}
        for resend in range(RESENDS + 1):
            try:
                return self.backend.start(move, move.target, known_ids), False
            except AnswerLost:
                fresh = self._fresh(move, known_ids)
                if fresh:
                    return fresh, True
                if resend == RESENDS:
                    raise
                self.sleep(min(self.policy.poll_interval, 1.0) * (resend + 1))
            except MigrationFailed as error:
                # Refused as a race on a re-send: the lost request was accepted after all (Nova marks the
                # server migrating before it answers and records the migration later). Adopt it.
                if resend == 0 or error.code != "RACE":
                    raise
                fresh = self._await_fresh(move, known_ids)
                if fresh is None:
                    raise
                return fresh, True
        raise AssertionError("unreachable")

    def _fresh(self, move, known_ids):
        """The server's newest migration that was not there before the start, or None."""
        fresh = [handle for handle in self.backend.migrations(move) if handle.id not in known_ids]
        return fresh[-1] if fresh else None

    def _await_fresh(self, move, known_ids):
        waited = 0.0
        while waited < RECORD_PATIENCE_S:
            fresh = self._fresh(move, known_ids)
            if fresh:
                return fresh
            self.sleep(RECORD_LOOK_S)
            waited += RECORD_LOOK_S
        return None

    def _started(self, task):
        """True when the move is now running; otherwise it finished or is queued for a retry."""
        try:
            task.handle, task.adopted = task.future.result()
        except MigrationFailed as error:
            target = error.target or task.move.target
            if error.code == "DEST_UNAVAILABLE" and target:
                self._dead_targets.add(target)
            self._failed(task, Failure(error.code, error.message), target)
            return False
        except AnswerLost as error:
            self._failed(task, Failure("UNKNOWN", "no answer to the start call, and no migration of the server "
                                                  "appeared: %s" % error), task.move.target)
            return False
        except Exception as error:  # an unexpected API answer must not stop the other moves
            self._failed(task, Failure("UNKNOWN", "starting the move failed: %s" % error), task.move.target)
            return False
        now = self.clock()
        task.started_mono = task.running_mono = now
        task.started_at = self.wall().isoformat()
        task.progress = Progress(status=task.handle.status, target=task.handle.target or task.move.target,
                                 in_line=task.handle.in_line)
        task.best_remaining, task.progress_mono = None, now
        task.forced, task.abort_reason, task.abort_mono, task.poll_errors = False, None, None, 0
        task.abort_sent, task.retry_after_abort = False, False
        self._track_target(task, task.handle.target)
        self._emit("started", task)
        if not self.policy.wait:
            self._finish(task, STATUS_IN_PROGRESS)
        return True

    def _track_target(self, task, target):
        """Count a scheduler-chosen move against its real target once the backend names it."""
        if target and task.move.target is None and task.slot is not None and task.slot.target != target:
            self._release(task)
            slot = _Slot(replace(task.move, target=target))
            self._link.add(slot, 1)
            task.slot = slot

    # -- watching -------------------------------------------------------------------------

    def _watch(self, task):
        now = self.clock()
        try:
            progress = self.backend.poll(task.move, task.handle)
        except MigrationFailed as error:
            self._failed(task, Failure(error.code, error.message), error.target or task.progress.target, retry=False)
            return
        except Exception as error:  # transient API trouble after the backend's own retries
            task.poll_errors += 1
            if task.poll_errors >= MAX_POLL_ERRORS:
                self._failed(task, Failure("UNKNOWN", "lost track of migration %s: %s" % (task.handle.id, error)),
                             task.progress.target, retry=False)
            return
        task.poll_errors = 0
        if progress.remaining is None and task.progress is not None:
            # The final record carries no counters: keep the last ones seen for the result.
            for name in _BYTE_FIELDS:
                setattr(progress, name, getattr(task.progress, name))
        task.progress = progress
        self._track_target(task, progress.target)
        if progress.status == COMPLETED:
            self._finish(task, STATUS_FORCE_COMPLETED if task.forced else STATUS_COMPLETED, host=progress.host)
        elif task.retry_after_abort and progress.status in (CANCELLED, FAILED):
            self._failed(task, task.abort_reason[0], progress.target, retry=True)
        elif progress.status == CANCELLED:
            if task.abort_reason is not None:
                failure, status = task.abort_reason
                self._finish(task, status, failure=failure)
            else:
                self._failed(task, progress.failure or Failure("ABORTED", "migration %s was cancelled"
                                                               % task.handle.id),
                             progress.target, retry=False)
        elif progress.status == FAILED:
            failure = progress.failure or Failure("UNKNOWN", "migration %s failed" % task.handle.id)
            if task.abort_reason is not None:
                failure = task.abort_reason[0]
            self._failed(task, failure, progress.target, retry=task.abort_reason is None)
        elif progress.target_down and task.abort_reason is None:
            self._target_died(task, progress.target)
        else:
            self._emit("progress", task)
            self._check_limits_of_time(task, now)

    def _target_died(self, task, target):
        """Abort the move to a dead target and re-plan it once the abort took; no new moves go there."""
        self._dead_targets.add(target)
        self._request_abort(task, Failure("DEST_UNAVAILABLE", "target compute %s went down during the move; "
                                          "the guest stays on %s" % (target, task.move.source)), STATUS_FAILED)
        task.retry_after_abort = True

    def _check_limits_of_time(self, task, now):
        if task.abort_reason is not None:
            if not task.abort_sent:
                self._send_abort(task)
            if now - task.abort_mono >= self.policy.abort_grace_s:
                self._finish(task, STATUS_FAILED, failure=Failure(
                    "UNKNOWN", "abort of migration %s requested %ds ago (%s) and it is still running; check it by hand"
                    % (task.handle.id, now - task.abort_mono, task.abort_reason[0].code)))
            return
        if task.progress.waiting:
            task.running_mono, task.progress_mono = None, now
            return
        if task.running_mono is None:
            task.running_mono = now
        timeout = self.policy.timeout_for(task.move)
        if timeout is not None and now - task.running_mono >= timeout and not task.forced:
            self._on_timeout(task, now, timeout)
            return
        remaining = task.progress.remaining
        if remaining is None:
            task.progress_mono = now  # queued or preparing: no copy yet, so nothing can stall
            return
        if task.best_remaining is None or remaining < task.best_remaining:
            task.best_remaining, task.progress_mono = remaining, now
            return
        stall = self.policy.stall_timeout
        if stall and now - task.progress_mono >= stall:
            self._on_stall(task, now, stall)

    def _on_timeout(self, task, now, timeout):
        failure = Failure("TIMEOUT", "still running after %ds (timeout %ds)" % (now - task.running_mono, timeout))
        action = task.move.timeout_action or self.policy.on_timeout
        if action == "force_complete" and task.move.type == LIVE:
            self._force_complete(task, now, failure, STATUS_FAILED)
            return
        self._request_abort(task, failure, STATUS_FAILED)

    def _on_stall(self, task, now, stall):
        failure = Failure("STALLED", "%d bytes left, no progress for %ds" % (task.best_remaining, now - task.progress_mono))
        policy = self.policy.on_stall
        if policy == "force_complete" and not task.forced:
            self._force_complete(task, now, failure, STATUS_ABORTED)
            return
        self._request_abort(task, failure, STATUS_FAILED if policy == "fail" else STATUS_ABORTED)

    def _force_complete(self, task, now, failure, refused_status):
        """Pause the guest so the rest is copied; when the platform refuses, abort with `refused_status`."""
        try:
            self.backend.force_complete(task.move, task.handle)
        except MigrationFailed as error:
            self._request_abort(task, Failure(failure.code, "%s; force-complete refused: %s"
                                              % (failure.message, error.message)), refused_status)
            return
        except AnswerLost:
            pass  # maybe it took: if the guest still makes no progress, the next stall window aborts it
        task.forced = True
        task.progress_mono = now  # give the paused guest a fresh stall window
        self._emit("force_complete", task)

    def _request_abort(self, task, failure, status):
        if task.abort_reason is not None or task.result is not None:
            return
        task.abort_reason = (failure, status)
        task.abort_mono = self.clock()
        self._send_abort(task)
        self._emit("abort", task)

    def _send_abort(self, task):
        try:
            self.backend.abort(task.move, task.handle)
        except MigrationFailed:
            pass  # e.g. it is completing right now: the next polls show how it ends, within the grace time
        except AnswerLost:
            return  # sent again at the next poll that finds the migration still running
        task.abort_sent = True

    # -- ending ---------------------------------------------------------------------------

    def _failed(self, task, failure, target, retry=True):
        """Retry on another target when the failure allows and the caller can re-plan, else finish."""
        if target and target not in task.excluded:
            task.excluded.append(target)
        if retry and failure.retryable and task.attempts < self.policy.max_attempts and self.replan is not None:
            excluded = task.excluded + sorted(self._dead_targets.difference(task.excluded))
            new_target = self.replan(task.move, excluded)
            if new_target is not None and new_target not in excluded:
                self._release(task)
                self._emit("retry", task, failure=failure.to_dict(), next_target=new_target)
                task.move = replace(task.move, target=new_target)
                task.handle = None
                return
        self._finish(task, STATUS_FAILED, failure=failure)

    def _finish(self, task, status, failure=None, host=None):
        self._release(task)
        progress = task.progress
        if status in (STATUS_COMPLETED, STATUS_FORCE_COMPLETED):
            target = host or (progress.target if progress else None) or task.move.target
        elif status == STATUS_IN_PROGRESS:
            target = (progress.target if progress else None) or task.move.target
        else:
            target = task.move.source  # a failed or aborted move leaves the guest where it was
        task.result = Result(
            instance=task.move.instance, name=task.move.name, source=task.move.source, target=target,
            type=task.move.type, status=status, migration_id=task.handle.id if task.handle else None,
            started_at=task.started_at,
            seconds=round(self.clock() - task.started_mono, 3) if task.started_mono is not None else None,
            bytes_transferred=_bytes_moved(task.move, status, progress), attempts=task.attempts,
            adopted=task.adopted, failure=failure,
        )
        self._emit("finished", task)

    def _skip_all(self, tasks, why):
        for task in tasks:
            self._release(task)
            task.result = Result(instance=task.move.instance, name=task.move.name, source=task.move.source,
                                 target=task.move.source, type=task.move.type, status=STATUS_SKIPPED,
                                 attempts=task.attempts, failure=Failure("TIMEOUT", why))
            self._emit("finished", task)

    # -- events ---------------------------------------------------------------------------

    def _emit(self, kind, task, **extra):
        if self.on_event is None:
            return
        progress = task.progress
        event = {
            "event": kind, "instance": task.move.instance, "name": task.move.name, "source": task.move.source,
            "target": (progress.target if progress else None) or task.move.target,
            "migration_id": task.handle.id if task.handle else None, "attempt": task.attempts,
            "remaining_bytes": progress.remaining if progress else None,
            "result": task.result.to_dict() if task.result else None,
            "totals": self.totals(),
        }
        event.update(extra)
        self.on_event(event)

    def totals(self):
        """done/total, running, bytes moved so far and a naive ETA from the average pace."""
        done = sum(1 for task in self._tasks if task.result is not None)
        total = len(self._tasks)
        elapsed = self.clock() - self._run_started if self._run_started is not None else 0.0
        moved = sum(task.progress.transferred for task in self._tasks if task.progress is not None)
        running = sum(1 for task in self._tasks if task.result is None and task.handle is not None)
        eta = round(elapsed / done * (total - done), 1) if done else None
        return {"done": done, "total": total, "running": running, "bytes_transferred": moved,
                "elapsed_s": round(elapsed, 1), "eta_s": eta}


def _bytes_moved(move, status, progress):
    """What the platform reported, and for a completed live move at least the guest's memory.

    A migration that ends between two polls reports no counters (Nova drops finished
    migrations from a server's list), yet pre-copy sent all the memory at least once.
    """
    reported = progress.transferred if progress else 0
    if status in (STATUS_COMPLETED, STATUS_FORCE_COMPLETED) and move.type == LIVE and move.memory_mib:
        return max(reported, move.memory_mib * MIB)
    return reported


def summarise(results):
    """Counts per status and the failure codes seen, for a module's `summary`."""
    by_status, codes = {}, {}
    for result in results:
        by_status[result.status] = by_status.get(result.status, 0) + 1
        if result.failure is not None:
            codes[result.failure.code] = codes.get(result.failure.code, 0) + 1
    return {"total": len(results), "by_status": by_status, "failure_codes": codes,
            "bytes_transferred": sum(result.bytes_transferred for result in results),
            "seconds_max": max((result.seconds or 0.0 for result in results), default=0.0)}
