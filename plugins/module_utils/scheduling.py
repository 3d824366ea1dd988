# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ordering chosen moves into waves that respect the concurrency limits.

A list scheduler over simulated time: whenever a move ends, every waiting move whose source,
target and cluster limits have room, and whose dependencies have finished, starts, in priority
order. A move depends on earlier-chosen moves out of its target: it needs the room they free.
Moves sharing a host's link share its bandwidth, so each move's duration is estimated with the
share it gets when it starts. `wave` is the index of the scheduling instant at which a move starts.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from ansible_collections.vmops.migration.plugins.module_utils import physics
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import COLD, EVACUATE


@dataclass
class Limits:
    """0 means unlimited. per_source follows Nova's max_concurrent_live_migrations."""

    per_source: int = 1
    per_target: int = 0
    per_cluster: int = 0

    def to_dict(self):
        return {"per_source": self.per_source, "per_target": self.per_target, "per_cluster": self.per_cluster}


@dataclass
class Move:
    instance: object
    source: str
    target: str
    type: str
    block_migration: bool
    warnings: list = field(default_factory=list)
    priority: tuple = ()
    depends_on: list = field(default_factory=list)
    finished: bool = False
    wave: int = 0
    start: float = 0.0
    seconds: float = 0.0


def _room(count, limit):
    return limit <= 0 or count < limit


class Link:
    """Concurrent transfers per host, to check limits and share bandwidth."""

    def __init__(self):
        self.outgoing, self.incoming, self.total = {}, {}, 0

    def fits(self, move, limits, per_source):
        return (_room(self.outgoing.get(move.source, 0), per_source.get(move.source, limits.per_source))
                and _room(self.incoming.get(move.target, 0), limits.per_target)
                and _room(self.total, limits.per_cluster))

    def add(self, move, sign):
        self.outgoing[move.source] = self.outgoing.get(move.source, 0) + sign
        self.incoming[move.target] = self.incoming.get(move.target, 0) + sign
        self.total += sign


def move_seconds(move, bandwidth, settings, platform):
    """Estimated duration of `move` at `bandwidth` MiB/s (the completion timeout if it never converges)."""
    instance = move.instance
    if move.type == EVACUATE:
        return physics.EVACUATE_FIXED_S
    if move.type == COLD:
        return physics.cold_seconds(instance.local_disk_gib, bandwidth)
    disk = instance.local_disk_gib if move.block_migration else 0.0
    estimate = physics.precopy(instance.memory_mib, instance.dirty_rate_mibps, bandwidth,
                               settings.live_migration_downtime_ms / 1000.0, disk)
    if estimate.converges:
        return estimate.seconds
    return physics.completion_timeout_s(instance.memory_mib, disk, platform, settings.completion_timeout_s_per_gib)


def transfer_mib(move):
    """Bytes (MiB) a move sends at least once: memory for live moves, local disk when copied."""
    if move.type == EVACUATE:
        return 0.0
    disk = move.instance.local_disk_gib * 1024.0 if (move.block_migration or move.type == COLD) else 0.0
    return disk + (move.instance.memory_mib if move.type != COLD else 0.0)


def link_dependencies(moves):
    """In choice order: each move depends on the earlier moves that leave its target."""
    leaving = {}
    for move in moves:
        move.depends_on = list(leaving.get(move.target, ()))
        leaving.setdefault(move.source, []).append(move)


def schedule(moves, limits, bandwidth_of, settings, platform, per_source=None):
    """Set wave/start/seconds on every move; return (moves in start order, makespan seconds).

    `bandwidth_of(host)` gives a host's migration bandwidth; `per_source` may override the
    per-source limit for some hosts (gathered max_concurrent_live_migrations).
    """
    per_source = per_source or {}
    waiting = sorted(moves, key=lambda move: move.priority)
    link = Link()
    running = []  # heap of (end time, sequence, move)
    now, wave, started = 0.0, 0, []
    while waiting:
        starting = _start_now(waiting, link, limits, per_source, bandwidth_of)
        for move, share in starting:
            move.wave, move.start = wave, now
            move.seconds = move_seconds(move, share, settings, platform)
            heapq.heappush(running, (now + move.seconds, len(started), move))
            started.append(move)
        starting_ids = {id(move) for move, unused_share in starting}
        waiting = [move for move in waiting if id(move) not in starting_ids]
        if waiting:
            now = running[0][0]
            while running and running[0][0] <= now:
                done = heapq.heappop(running)[2]
                done.finished = True
                link.add(done, -1)
            wave += 1
    makespan = max((move.start + move.seconds for move in started), default=0.0)
    return started, makespan


def _start_now(waiting, link, limits, per_source, bandwidth_of):
    """(move, bandwidth share) of the waiting moves that start at this instant, added to `link`, in
    priority order, except that moves into a target no other move is entering go first: two moves into
    one target share its link. Each gets the share of its links when it is added."""
    starting, chosen = [], set()
    for idle_target_only in (True, False):
        for move in waiting:
            if id(move) in chosen or (idle_target_only and link.incoming.get(move.target, 0)):
                continue
            if all(before.finished for before in move.depends_on) and link.fits(move, limits, per_source):
                link.add(move, 1)
                starting.append((move, min(bandwidth_of(move.source) / link.outgoing[move.source],
                                           bandwidth_of(move.target) / link.incoming[move.target])))
                chosen.add(id(move))
    return starting


def lower_bound(moves, bandwidth_of):
    return physics.lower_bound(
        physics.Transfer(move.source, move.target, transfer_mib(move), bandwidth_of(move.source), bandwidth_of(move.target))
        for move in moves
    )
