# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules about where a guest may go at all: the target itself, its cell, version and group."""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import (
    COLD, EVACUATE, LIVE, WARN, Rule,
)


class SameHost(Rule):
    code = "SAME_HOST"
    move_types = (LIVE, COLD, EVACUATE)

    def check(self, ctx):
        if ctx.target.name == ctx.source.name:
            return [self.reason(ctx, "target %s is the instance's current host" % ctx.target.name)]
        return []


class TargetUnavailable(Rule):
    code = "TARGET_UNAVAILABLE"
    platforms = ("nova", "kubevirt")
    move_types = (LIVE, COLD, EVACUATE)

    def check(self, ctx):
        target = ctx.target
        problems = []
        if target.state != "up":
            problems.append("its service is down")
        if target.forced_down:
            problems.append("it is forced down")
        if target.status != "enabled":
            problems.append("it is disabled" + (" (%s)" % target.disabled_reason if target.disabled_reason else ""))
        if not target.schedulable:
            problems.append("it is not schedulable")
        if problems:
            return [self.reason(ctx, "target %s cannot take guests: %s" % (target.name, ", ".join(problems)))]
        return []


class CrossCell(Rule):
    code = "CROSS_CELL"
    move_types = (LIVE, COLD, EVACUATE)

    def check(self, ctx):
        source_cell = ctx.instance.cell or ctx.source.cell
        if source_cell and ctx.target.cell and source_cell != ctx.target.cell:
            return [self.reason(ctx, "target %s is in cell %s, the instance is in cell %s"
                                % (ctx.target.name, ctx.target.cell, source_cell))]
        return []


class MixedVersion(Rule):
    code = "MIXED_VERSION"

    def check(self, ctx):
        if ctx.source.version and ctx.target.version and ctx.source.version != ctx.target.version:
            return [self.reason(ctx, "source runs compute version %s, target %s runs %s"
                                % (ctx.source.version, ctx.target.name, ctx.target.version))]
        return []


class ServerGroupPolicy(Rule):
    """Affinity keeps members together, anti-affinity apart; soft policies only warn."""

    code = "SERVER_GROUP_POLICY"
    move_types = (LIVE, COLD, EVACUATE)

    def check(self, ctx):
        group = ctx.instance.server_group or {}
        policy = group.get("policy")
        if not policy or not group.get("id"):
            return []
        member_hosts = {
            ctx.placement.get(member.id, member.host)
            for member in ctx.snapshot.instances
            if member.id != ctx.instance.id and (member.server_group or {}).get("id") == group["id"]
        }
        severity = WARN if policy.startswith("soft-") else None
        if policy.endswith("anti-affinity") and ctx.target.name in member_hosts:
            return [self.reason(ctx, "server group %s (%s) already has a member on %s"
                                % (group["id"], policy, ctx.target.name), severity)]
        if policy.endswith("affinity") and not policy.endswith("anti-affinity"):
            others = member_hosts - {ctx.target.name}
            if others:
                return [self.reason(ctx, "server group %s (%s) has members on %s, not on %s"
                                    % (group["id"], policy, ", ".join(sorted(others)), ctx.target.name), severity)]
        return []


RULES = [SameHost, TargetUnavailable, CrossCell, MixedVersion, ServerGroupPolicy]
