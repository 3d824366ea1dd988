# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules about room on the target after the moves already planned (Capacity does the sums)."""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import (
    COLD, EVACUATE, LIVE, Rule,
)
from ansible_collections.vmops.migration.plugins.module_utils.constraints.common import capacity_of


def _amount(value):
    return "%g" % round(max(value, 0), 2)


class _Shortfall(Rule):
    """One of Placement's resource classes: `resource` is a Capacity.shortfalls key."""

    move_types = (LIVE, COLD, EVACUATE)
    resource = None
    unit = None

    def check(self, ctx):
        found = capacity_of(ctx).shortfalls(ctx.instance, ctx.target.name).get(self.resource)
        if found is None:
            return []
        needed, free = found
        return [self.reason(ctx, "%s needs %s %s, %s has %s %s free after planned moves"
                            % (ctx.instance.label, _amount(needed), self.unit, ctx.target.name, _amount(free),
                               self.unit.split(" ")[0]))]


class InsufficientVcpu(_Shortfall):
    code = "INSUFFICIENT_VCPU"
    resource = "vcpu"
    unit = "vCPUs"


class InsufficientRam(_Shortfall):
    code = "INSUFFICIENT_RAM"
    resource = "ram"
    unit = "MiB RAM"


class InsufficientDisk(_Shortfall):
    code = "INSUFFICIENT_DISK"
    resource = "disk"
    unit = "GiB local disk"


class NumaCapacity(Rule):
    """A NUMA-bound guest needs, on as many target NUMA nodes as it asks for, its share of
    memory, pinned CPUs and huge pages. Skipped when the target's NUMA nodes are unknown."""

    code = "NUMA_CAPACITY"
    move_types = (LIVE, COLD, EVACUATE)

    def check(self, ctx):
        instance = ctx.instance
        if not instance.numa_bound or not ctx.target.numa_nodes:
            return []
        if capacity_of(ctx).numa_fit(instance, ctx.target.name) is not None:
            return []
        nodes = instance.numa_nodes or 1
        need = ["%g MiB RAM" % round(instance.memory_mib / nodes, 2)]
        if instance.cpu_policy == "dedicated":
            need.append("%d pinned CPUs" % -(-instance.vcpus // nodes))
        if instance.uses_hugepages:
            need.append("%s huge pages" % instance.hugepages)
        return [self.reason(ctx, "%s needs %d NUMA node%s with %s free each; %s has not enough after planned moves"
                            % (instance.label, nodes, "" if nodes == 1 else "s", ", ".join(need), ctx.target.name))]


RULES = [InsufficientVcpu, InsufficientRam, InsufficientDisk, NumaCapacity]
