# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules about the instance's and its source compute's current state.

Evacuation needs the source confirmed dead: its service down and forced down, or fenced.
Fencing is recorded in the snapshot as either `settings.fencing_confirmed` (a list of host
names, kept in `settings.extra`) or `fencing_confirmed: true` on the host (kept in its `extra`).
"""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import (
    COLD, EVACUATE, INFO, LIVE, Rule,
)


class _InstanceRule(Rule):
    per_target = False


class TaskInProgress(_InstanceRule):
    code = "TASK_IN_PROGRESS"
    move_types = (LIVE, COLD, EVACUATE)

    def check(self, ctx):
        instance = ctx.instance
        if instance.task_state:
            return [self.reason(ctx, "%s is busy with task %s: wait for it to finish" % (instance.label, instance.task_state))]
        if instance.migration_in_progress:
            return [self.reason(ctx, "%s already has a migration in progress" % instance.label)]
        return []


class InstanceError(_InstanceRule):
    """Nova evacuates guests in ERROR, but will not live- or cold-migrate them."""

    code = "INSTANCE_ERROR"
    move_types = (LIVE, COLD)

    def check(self, ctx):
        if ctx.instance.status == "ERROR":
            return [self.reason(ctx, "%s is in ERROR: reset its state or rebuild it before moving it" % ctx.instance.label)]
        return []


class NotRunning(_InstanceRule):
    code = "NOT_RUNNING"
    severity = INFO

    def check(self, ctx):
        if ctx.instance.is_stopped:
            return [self.reason(ctx, "%s is %s: cold migration instead of live" % (ctx.instance.label, ctx.instance.status))]
        return []


class SourceServiceDown(_InstanceRule):
    code = "SOURCE_SERVICE_DOWN"
    move_types = (LIVE, COLD)

    def check(self, ctx):
        source = ctx.source
        if source.is_up:
            return []
        why = "forced down" if source.forced_down else "down"
        return [self.reason(ctx, "the compute service of source %s is %s: %s cannot be live- or cold-migrated, "
                            "evacuate instead" % (source.name, why, ctx.instance.label))]


def fencing_confirmed(snapshot, host):
    return host.name in (snapshot.settings.extra.get("fencing_confirmed") or ()) or host.extra.get("fencing_confirmed") is True


class EvacuateSourceAlive(_InstanceRule):
    code = "EVACUATE_SOURCE_ALIVE"
    move_types = (EVACUATE,)

    def check(self, ctx):
        source = ctx.source
        if (source.state == "down" and source.forced_down) or fencing_confirmed(ctx.snapshot, source):
            return []
        state = "its service is %s%s" % (source.state, ", forced down" if source.forced_down else ", not forced down")
        return [self.reason(ctx, "source %s is not confirmed dead (%s): fence it and mark its service forced down "
                            "before evacuating %s" % (source.name, state, ctx.instance.label))]


RULES = [TaskInProgress, InstanceError, NotRunning, SourceServiceDown, EvacuateSourceAlive]
