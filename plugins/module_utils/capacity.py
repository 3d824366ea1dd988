# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Free capacity per host, consumed as moves are planned (Nova's HostState, in miniature).

Capacity follows Placement: (total - reserved) x allocation ratio for VCPU, MEMORY_MB and DISK_GB.
NUMA-bound guests also need, on as many NUMA nodes as they ask for, their share of memory,
pinned CPUs (dedicated policy) and huge pages. A NUMA node's free memory is its `memory_free_mib`
when the snapshot has it, else its `memory_mib`: the snapshot does not say which node an
existing guest sits on, so only planned moves are subtracted from nodes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

PAGE_SIZES_KIB = {"small": 4, "large": None, "any": None, "2MB": 2048, "1GB": 1048576}


def hugepage_size_kib(request):
    """KiB for an `hw:mem_page_size` value; None means any large page size will do."""
    if request in PAGE_SIZES_KIB:
        return PAGE_SIZES_KIB[request]
    text = str(request).strip().upper()
    for suffix, factor in (("KB", 1), ("K", 1), ("MB", 1024), ("M", 1024), ("GB", 1048576), ("G", 1048576)):
        if text.endswith(suffix) and text[:-len(suffix)].isdigit():
            return int(text[:-len(suffix)]) * factor
    return int(text) if text.isdigit() else None


@dataclass
class NumaFree:
    id: int
    memory_mib: float
    pinned_cpus: int | None
    hugepages: dict = field(default_factory=dict)


@dataclass
class HostFree:
    name: str
    vcpu_total: float
    ram_total: float
    disk_total: float
    vcpu: float
    ram: float
    disk: float
    numa: list = field(default_factory=list)

    def used_fraction(self, resource):
        total = getattr(self, resource + "_total")
        return 0.0 if total <= 0 else (total - getattr(self, resource)) / total


def _numa_share(instance):
    """Memory (MiB) and pinned CPUs each NUMA node must give the instance."""
    nodes = instance.numa_nodes or 1
    pinned = instance.vcpus if instance.cpu_policy == "dedicated" else 0
    return nodes, instance.memory_mib / nodes, -(-pinned // nodes)


def _pages_needed(node, memory_mib, request):
    """(page size KiB, pages) on `node` for `memory_mib` of huge pages, or None if it lacks them."""
    size = hugepage_size_kib(request)
    sizes = [size] if size else sorted((kib for kib in node.hugepages if kib > 4), reverse=True)
    for kib in sizes:
        pages = -(-int(memory_mib * 1024) // kib)
        if node.hugepages.get(kib, 0) >= pages:
            return kib, pages
    return None


class Capacity:
    """Free resources of every host; `move` consumes on the target and frees the source."""

    def __init__(self, snapshot):
        self.hosts = {host.name: self._initial(host, snapshot.instances_on(host.name)) for host in snapshot.hosts}

    @staticmethod
    def _initial(host, instances):
        vcpu_total = host.vcpus * host.cpu_allocation_ratio
        ram_total = max(host.memory_mib - host.reserved_memory_mib, 0) * host.ram_allocation_ratio
        disk_total = host.disk_gib * host.disk_allocation_ratio
        free = HostFree(host.name, vcpu_total, ram_total, disk_total, vcpu_total, ram_total, disk_total)
        for instance in instances:
            free.vcpu -= instance.vcpus
            free.ram -= instance.memory_mib
            free.disk -= instance.local_disk_gib
        for node in host.numa_nodes:
            memory = node.extra.get("memory_free_mib", node.memory_mib)
            pages = {int(size): count for size, count in node.hugepages_free.items()}
            free.numa.append(NumaFree(node.id, memory, node.pinned_cpus_free, pages))
        return free

    def copy(self):
        return copy.deepcopy(self)

    def __getitem__(self, name):
        return self.hosts[name]

    def shortfalls(self, instance, target):
        """Which of VCPU, RAM and disk `target` cannot give `instance`: {resource: (needed, free)}."""
        free = self.hosts[target]
        wanted = {"vcpu": instance.vcpus, "ram": instance.memory_mib, "disk": instance.local_disk_gib}
        return {name: (need, getattr(free, name)) for name, need in wanted.items() if need > getattr(free, name) + 1e-9}

    def numa_fit(self, instance, target):
        """NUMA node ids of `target` that can hold `instance`, or None when no set of nodes fits."""
        nodes, memory, pinned = _numa_share(instance)
        fitting = [node for node in self.hosts[target].numa if self._node_fits(node, memory, pinned, instance)]
        if len(fitting) < nodes:
            return None
        fitting.sort(key=lambda node: node.memory_mib)
        return [node.id for node in fitting[:nodes]]

    @staticmethod
    def _node_fits(node, memory, pinned, instance):
        if node.memory_mib + 1e-9 < memory:
            return False
        if pinned and (node.pinned_cpus is None or node.pinned_cpus < pinned):
            return False
        return not instance.uses_hugepages or _pages_needed(node, memory, instance.hugepages) is not None

    def move(self, instance, source, target):
        """Account for `instance` leaving `source` (may be None) and arriving on `target`."""
        if source in self.hosts:
            self._add(self.hosts[source], instance, +1)
        self._add(self.hosts[target], instance, -1)
        if instance.numa_bound and self.hosts[target].numa:
            self._consume_numa(instance, target)

    @staticmethod
    def _add(free, instance, sign):
        free.vcpu += sign * instance.vcpus
        free.ram += sign * instance.memory_mib
        free.disk += sign * instance.local_disk_gib

    def _consume_numa(self, instance, target):
        chosen = self.numa_fit(instance, target) or []
        memory, pinned = _numa_share(instance)[1:]
        for node in self.hosts[target].numa:
            if node.id not in chosen:
                continue
            node.memory_mib -= memory
            if pinned and node.pinned_cpus is not None:
                node.pinned_cpus -= pinned
            if instance.uses_hugepages:
                kib, pages = _pages_needed(node, memory, instance.hugepages)
                node.hugepages[kib] -= pages
