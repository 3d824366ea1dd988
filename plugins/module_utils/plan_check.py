# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Independent check of a plan: replay its moves in order and report every violation.

Used by tests and benchmarks, and useful before executing a plan made elsewhere: after every
prefix of the move order, no host may be over capacity and every move must pass the block rules
on the cluster as it is at that point.
"""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils.constraints.catalogue import check_move, is_blocked
from ansible_collections.vmops.migration.plugins.module_utils.snapshot import Snapshot, parse_snapshot
from ansible_collections.vmops.migration.plugins.module_utils.targeting import Cluster


def violations(snapshot, plan):
    """Messages for every move that breaks a block rule or capacity when replayed in order."""
    snapshot = snapshot if isinstance(snapshot, Snapshot) else parse_snapshot(snapshot)
    cluster = Cluster(snapshot)
    found = []
    for index, move in enumerate(plan["moves"]):
        instance = snapshot.instance_by_id.get(move["instance"])
        if instance is None:
            found.append("moves[%d]: unknown instance %s" % (index, move["instance"]))
            continue
        if cluster.host_of(instance) != move["source"]:
            found.append("moves[%d]: %s is on %s, not %s" % (index, instance.id, cluster.host_of(instance), move["source"]))
        reasons = check_move(cluster.context(instance, move["target"], move["type"]))
        if is_blocked(reasons):
            codes = ", ".join(sorted({reason.code for reason in reasons if reason.severity == "block"}))
            found.append("moves[%d]: %s -> %s blocked: %s" % (index, instance.id, move["target"], codes))
        cluster.apply(instance, move["target"])
        free = cluster.capacity[move["target"]]
        for resource in ("vcpu", "ram", "disk"):
            if getattr(free, resource) < -1e-6:
                found.append("moves[%d]: %s over %s capacity after %s arrives" % (index, move["target"], resource, instance.id))
    return found


def outcome_problems(plan, before, after):
    """What went wrong for the plan's instances, comparing snapshots before and after the run.

    An instance must still exist, must have left its source, must not be left in a task state,
    and must be in the state it had before (a running guest running again, a stopped one stopped).
    """
    before = before if isinstance(before, Snapshot) else parse_snapshot(before)
    after = after if isinstance(after, Snapshot) else parse_snapshot(after)
    problems = []
    for move in plan["moves"]:
        was, now = before.instance_by_id.get(move["instance"]), after.instance_by_id.get(move["instance"])
        label = move.get("name") or move["instance"]
        if now is None:
            problems.append("%s: not found after the run" % label)
            continue
        if now.host == move["source"]:
            problems.append("%s: still on %s" % (label, move["source"]))
        if now.task_state:
            problems.append("%s: left in task state %s" % (label, now.task_state))
        if was is not None and now.status != was.status:
            problems.append("%s: %s before, %s now" % (label, was.status, now.status))
    return problems
