# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Choosing a target for one instance: filter, then weigh, then consume (Nova's scheduler shape).

`Cluster` is the planner's working copy: capacity, utilisation and placement after the moves
chosen so far. Candidates are weighed by the CPU utilisation they would have after taking the
instance, lowest first, so receiving hosts stay even where guests compete (CPU is overcommitted,
RAM is not); a host whose RAM would pass `RAM_GUARD` goes after every host that stays under it.
The first candidate that passes every block rule wins and its capacity is consumed before the
next instance is placed.
"""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils import hostnames
from ansible_collections.vmops.migration.plugins.module_utils.capacity import Capacity
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import (
    BLOCK, COLD, LIVE, MoveContext, Reason,
)
from ansible_collections.vmops.migration.plugins.module_utils.constraints.catalogue import (
    check_move, instance_reasons, is_blocked, target_reasons,
)
from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError
from ansible_collections.vmops.migration.plugins.module_utils.load import Load

RAM_GUARD = 0.9  # RAM utilisation above which a host is a target of last resort (rebalance's default)


class Cluster:
    def __init__(self, snapshot):
        self.snapshot = snapshot
        self.capacity = Capacity(snapshot)
        self.load = Load(snapshot)
        self.placement = {}

    def host_of(self, instance):
        return self.placement.get(instance.id, instance.host)

    def context(self, instance, target_name, move_type):
        hosts = self.snapshot.host_by_name
        return MoveContext(snapshot=self.snapshot, instance=instance, source=hosts[self.host_of(instance)],
                           target=hosts[target_name] if target_name else None, move_type=move_type,
                           capacity=self.capacity, placement=self.placement)

    def weigh(self, name, instance):
        """Sort key of candidate `name` for `instance`: lower is better."""
        cpu, ram = self.load.util_with(name, instance)
        return (ram > RAM_GUARD + 1e-9, round(cpu, 9), max(cpu, ram), name)

    def apply(self, instance, target):
        source = self.host_of(instance)
        self.capacity.move(instance, source, target)
        self.load.move(instance, source, target)
        self.placement[instance.id] = target

    def choose(self, instance, move_type, candidates, acceptable=None, weigh=None):
        """(target name or None, reasons): the best candidate passing every block rule.

        `acceptable(host_name)` can veto a candidate without a reason (e.g. a rebalance
        threshold the move would break); vetoed candidates are not judged by the rules.
        `weigh(host_name, instance)` replaces the default sort key (lower is better).
        """
        reasons = instance_reasons(self.context(instance, None, move_type))
        if is_blocked(reasons):
            return None, reasons
        weigh = weigh or self.weigh
        ranked = sorted(candidates, key=lambda name: weigh(name, instance))
        failures = []
        for name in ranked:
            if name == self.host_of(instance) or (acceptable is not None and not acceptable(name)):
                continue
            found = target_reasons(self.context(instance, name, move_type))
            if not is_blocked(found):
                return name, reasons + found
            failures.append(found)
        return None, reasons + _summarise(failures, len(candidates))


def _summarise(failures, candidate_count):
    """One block reason per code (the best-ranked target's), counting the other targets."""
    if not failures:
        return [Reason("TARGET_UNAVAILABLE", BLOCK,
                       "no acceptable target among %d candidate hosts" % candidate_count, None)]
    first, counts = {}, {}
    for reasons in failures:
        for reason in reasons:
            if reason.severity != BLOCK:
                continue
            first.setdefault(reason.code, reason)
            counts[reason.code] = counts.get(reason.code, 0) + 1
    summary = []
    for code, reason in first.items():
        others = counts[code] - 1
        message = reason.message + (" (and on %d other target%s)" % (others, "s" if others > 1 else "") if others else "")
        summary.append(Reason(code, BLOCK, message, reason.target))
    return summary


def blocked_entry(instance, reasons):
    """A plan's `blocked` entry: the instance that cannot move and every reason."""
    return {"instance": instance.id, "name": instance.name, "source": instance.host,
            "reasons": [reason.to_dict() for reason in reasons]}


def _find_instance(snapshot, instance):
    key = instance.get("id") if isinstance(instance, dict) else instance
    found = snapshot.instance_by_id.get(key) or next((i for i in snapshot.instances if i.name == key), None)
    if found is None:
        raise InputError("instance", "no instance with id or name %r in the snapshot" % (key,))
    return found


def move_reasons(snapshot, instance, target, move_type=None):
    """Every reason against moving `instance` (id, name or dict) to host `target`."""
    found = _find_instance(snapshot, instance)
    target_name = hostnames.resolve([target], snapshot.host_by_name, "target")[0]
    cluster = Cluster(snapshot)
    return check_move(cluster.context(found, target_name, move_type or default_move_type(found)))


def ranked_targets(snapshot, instance, move_type=None):
    """(feasible targets best first with their warnings, rejected targets with their reasons)."""
    found = _find_instance(snapshot, instance)
    cluster = Cluster(snapshot)
    feasible, rejected = [], []
    for host in snapshot.hosts:
        reasons = check_move(cluster.context(found, host.name, move_type or default_move_type(found)))
        entry = {"target": host.name, "reasons": [reason.to_dict() for reason in reasons]}
        if is_blocked(reasons):
            rejected.append(entry)
        else:
            entry["peak_utilisation_after"] = round(max(cluster.load.util_with(host.name, found)), 4)
            feasible.append(entry)
    feasible.sort(key=lambda entry: (entry["peak_utilisation_after"], entry["target"]))
    return feasible, rejected


def default_move_type(instance):
    return COLD if instance.is_stopped else LIVE
