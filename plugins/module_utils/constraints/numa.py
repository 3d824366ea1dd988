# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules for guests with a NUMA topology (explicit nodes, pinned CPUs, huge pages) and DPDK guests.

NUMA-aware live migration: a compute's `numa_live_migration` is `[workarounds]
enable_numa_live_migration` (NovaEnableNUMALiveMigration) as set. Unset on a gathered host, it
means off before Train (compute version 20) and on from Train, where a fully upgraded cloud
live-migrates NUMA guests correctly. `settings.numa_live_migration` is the cloud-wide answer.
"""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import (
    COLD, EVACUATE, LIVE, WARN, Rule,
)
from ansible_collections.vmops.migration.plugins.module_utils.constraints.common import (
    HostFactsRule, capacity_of, describe_layout, facts_not_gathered, numa_layout, other_instances_on,
)

NUMA_FILTERS = ("AggregateInstanceExtraSpecsFilter", "NUMATopologyFilter")
TRAIN = 20


def host_numa_live_migration(host):
    """True/False when the host's setting is known, None when it is not."""
    if host.numa_live_migration is not None:
        return host.numa_live_migration
    if not host.host_facts_gathered or not host.version:
        return None
    major = host.version.split(".")[0]
    return int(major) >= TRAIN if major.isdigit() else None


class _NumaLiveMigration(HostFactsRule):
    code = "NUMA_LIVE_MIGRATION_DISABLED"

    def relevant(self, instance):
        return instance.numa_bound

    def _off_on(self, hosts):
        return [host.name for host in hosts if host_numa_live_migration(host) is False]

    def _message(self, ctx, where):
        return ("%s has a NUMA topology (pinned CPUs, huge pages or NUMA nodes) and NUMA-aware live migration "
                "(NovaEnableNUMALiveMigration) is off %s: cold-migrate it" % (ctx.instance.label, where))


class NumaLiveMigrationDisabled(_NumaLiveMigration):
    """Cloud-wide setting or the source's own: the same for every target."""

    per_target = False

    def check(self, ctx):
        if not self.relevant(ctx.instance):
            return []
        if ctx.settings.numa_live_migration is False:
            return [self.reason(ctx, self._message(ctx, "in this cloud"))]
        if self._off_on([ctx.source]):
            return [self.reason(ctx, self._message(ctx, "on source %s" % ctx.source.name))]
        return []


class NumaLiveMigrationDisabledOnTarget(_NumaLiveMigration):
    def check(self, ctx):
        if not self.relevant(ctx.instance) or ctx.settings.numa_live_migration is False:
            return []
        if self._off_on([ctx.target]):
            return [self.reason(ctx, self._message(ctx, "on target %s" % ctx.target.name))]
        return []

    def unchecked(self, ctx):
        if not self.relevant(ctx.instance) or ctx.settings.numa_live_migration is not None:
            return None
        if all(host_numa_live_migration(host) is not None for host in (ctx.source, ctx.target)):
            return None
        return facts_not_gathered((ctx.source, ctx.target))


class SchedulerFiltersMissing(HostFactsRule):
    code = "SCHEDULER_FILTERS_MISSING"
    per_target = False
    move_types = (LIVE, COLD, EVACUATE)

    def relevant(self, instance):
        return instance.numa_bound

    def unchecked(self, ctx):
        if self.relevant(ctx.instance) and ctx.settings.scheduler_filters is None:
            return "scheduler filters not gathered from the controllers"
        return None

    def check(self, ctx):
        enabled = ctx.settings.scheduler_filters
        if not self.relevant(ctx.instance) or enabled is None:
            return []
        missing = [name for name in NUMA_FILTERS if name not in enabled]
        if missing:
            return [self.reason(ctx, "%s has a NUMA topology but the scheduler does not enable %s"
                                % (ctx.instance.label, " and ".join(missing)))]
        return []


class DpdkTargetNotEquivalent(HostFactsRule):
    """A DPDK guest needs a DPDK target with the same CPU model and NUMA layout and no guests.

    A target's `dpdk: false` is only believed once its host facts were gathered."""

    code = "DPDK_TARGET_NOT_EQUIVALENT"

    def relevant(self, instance):
        return instance.dpdk

    def unchecked(self, ctx):
        if self.relevant(ctx.instance) and not ctx.target.dpdk and not ctx.target.host_facts_gathered:
            return facts_not_gathered((ctx.target,))
        return None

    def check(self, ctx):
        if not self.relevant(ctx.instance):
            return []
        source, target = ctx.source, ctx.target
        problems = []
        if not target.dpdk and target.host_facts_gathered:
            problems.append("it does not run OVS-DPDK")
        if source.cpu_model and target.cpu_model and source.cpu_model != target.cpu_model:
            problems.append("its CPU is %s, the source's %s" % (target.cpu_model, source.cpu_model))
        if numa_layout(source) and numa_layout(target) and numa_layout(source) != numa_layout(target):
            problems.append("it has %s, the source %s"
                            % (describe_layout(numa_layout(target)), describe_layout(numa_layout(source))))
        guests = other_instances_on(ctx, target.name)
        if guests:
            problems.append("it runs %d other instance%s" % (len(guests), "" if len(guests) == 1 else "s"))
        if problems:
            return [self.reason(ctx, "%s uses DPDK and target %s is not equivalent: %s"
                                % (ctx.instance.label, target.name, "; ".join(problems)))]
        return []


class NumaTopologyDiffers(Rule):
    """The move works, but the guest may run slower: checked again after the move."""

    code = "NUMA_TOPOLOGY_DIFFERS"
    severity = WARN

    def check(self, ctx):
        if not ctx.instance.numa_bound:
            return []
        source, target = ctx.source, ctx.target
        problems = []
        if numa_layout(source) and numa_layout(target) and numa_layout(source) != numa_layout(target):
            problems.append("it has %s, the source %s"
                            % (describe_layout(numa_layout(target)), describe_layout(numa_layout(source))))
        if source.nic_numa_nodes and target.nic_numa_nodes and source.nic_numa_nodes != target.nic_numa_nodes:
            problems.append("its NICs sit on other NUMA nodes (%s; source %s)"
                            % (_nics(target.nic_numa_nodes), _nics(source.nic_numa_nodes)))
        partly = self._partly_used(ctx)
        if partly:
            nodes = ", ".join(str(node) for node in partly)
            problems.append("NUMA node%s %s already partly used" % ("" if len(partly) == 1 else "s", nodes))
        if problems:
            return [self.reason(ctx, "%s may run slower on %s: %s" % (ctx.instance.label, target.name, "; ".join(problems)))]
        return []

    @staticmethod
    def _partly_used(ctx):
        capacity = capacity_of(ctx)
        chosen = capacity.numa_fit(ctx.instance, ctx.target.name) or []
        total = {node.id: node.memory_mib for node in ctx.target.numa_nodes}
        free = {node.id: node.memory_mib for node in capacity[ctx.target.name].numa}
        return [node for node in chosen if free[node] + 1e-9 < total[node]]


def _nics(mapping):
    return ", ".join("%s:%s" % (nic, "?" if node is None else node) for nic, node in sorted(mapping.items()))


RULES = [NumaLiveMigrationDisabled, NumaLiveMigrationDisabledOnTarget, SchedulerFiltersMissing,
         DpdkTargetNotEquivalent, NumaTopologyDiffers]
