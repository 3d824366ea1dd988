# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rebalance strategies: which instances to move so the cluster meets an objective.

- threshold: bring every host under max_cpu_util / max_ram_util with few moves: from each
  overloaded host move the smallest guest whose departure alone fixes it, else the largest, to
  the host left with most headroom under the thresholds; when no host can take any of them,
  make room: move one guest off a host so that it can (a chain of two moves).
- spread: move from the hottest host while that lowers the cluster's peak utilisation.
- consolidate: empty the least-loaded hosts, one whole host at a time, while the others can
  take their guests under the thresholds.
Every move goes through the same constraint rules and capacity accounting as a drain.
"""

from __future__ import annotations

import copy

from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import BLOCK
from ansible_collections.vmops.migration.plugins.module_utils.constraints.catalogue import target_reasons
from ansible_collections.vmops.migration.plugins.module_utils.load import cpu_demand
from ansible_collections.vmops.migration.plugins.module_utils.targeting import blocked_entry, default_move_type

OBJECTIVES = ("threshold", "spread", "consolidate")
DEFAULT_MAX_CPU_UTIL = 0.8
DEFAULT_MAX_RAM_UTIL = 0.9
EPSILON = 1e-9
ROOM_CODES = ("INSUFFICIENT_VCPU", "INSUFFICIENT_RAM", "INSUFFICIENT_DISK", "NUMA_CAPACITY")


class _Strategy:
    def __init__(self, cluster, candidates, options):
        self.cluster = cluster
        self.candidates = candidates
        self.max_cpu = options.get("max_cpu_util", DEFAULT_MAX_CPU_UTIL)
        self.max_ram = options.get("max_ram_util", DEFAULT_MAX_RAM_UTIL)
        self.budget = options.get("max_moves")
        self.chosen = []  # (instance, source, target, reasons)
        self.blocked = {}
        self.residents = {name: [] for name in cluster.snapshot.host_by_name}
        for instance in cluster.snapshot.instances:
            self.residents[instance.host].append(instance)

    def budget_left(self, needed=1):
        return self.budget is None or len(self.chosen) + needed <= self.budget

    def under_thresholds(self, host, instance):
        cpu, ram = self.cluster.load.util_with(host, instance)
        return cpu <= self.max_cpu + EPSILON and ram <= self.max_ram + EPSILON

    def headroom(self, host, instance):
        """Sort key: the target's utilisation after, relative to the thresholds (lowest first)."""
        cpu, ram = self.cluster.load.util_with(host, instance)
        return (max(cpu / self.max_cpu, ram / self.max_ram), host)

    def try_move(self, instance, acceptable):
        """Move `instance` to the best acceptable target; True when it moved."""
        if any(instance is chosen[0] for chosen in self.chosen):
            return False
        target, reasons = self.cluster.choose(instance, default_move_type(instance), self.candidates, acceptable,
                                              self.headroom)
        if target is None:
            self.blocked[instance.id] = (instance, reasons)
            return False
        source = self.cluster.host_of(instance)
        self.cluster.apply(instance, target)
        self.residents[source].remove(instance)
        self.residents[target].append(instance)
        self.chosen.append((instance, source, target, reasons))
        self.blocked.pop(instance.id, None)
        return True


class Threshold(_Strategy):
    def excess(self, host):
        cpu, ram = self.cluster.load.util(host)
        load = self.cluster.load
        return (max(cpu - self.max_cpu, 0.0) * load.cpu_capacity[host], max(ram - self.max_ram, 0.0) * load.ram_capacity[host])

    def overloaded(self):
        hosts = [name for name in self.residents if any(value > EPSILON for value in self.excess(name))]
        return sorted(hosts, key=lambda name: -max(self.cluster.load.util(name)))

    def preference(self, host):
        """Smallest single guest that fixes the host first, then the rest largest first."""
        return sum(self.fixes_and_rest(host), [])

    def fixes_and_rest(self, host):
        cpu_need, ram_need = self.excess(host)
        fixes = sorted((i for i in self.residents[host] if cpu_demand(i) >= cpu_need - EPSILON and i.memory_mib >= ram_need - EPSILON),
                       key=lambda i: (i.memory_mib, cpu_demand(i), i.id))
        rest = sorted((i for i in self.residents[host] if i not in fixes), key=lambda i: (-i.memory_mib, -cpu_demand(i), i.id))
        return fixes, rest

    def fits_after_leaving(self, instance, target, guest):
        """Could `instance` go to `target` once `guest` has left it (rules other than room, and room)?"""
        reasons = target_reasons(self.cluster.context(instance, target, default_move_type(instance)))
        if any(reason.severity == BLOCK and reason.code not in ROOM_CODES for reason in reasons):
            return False
        free = self.cluster.capacity[target]
        return (instance.vcpus <= free.vcpu + guest.vcpus + EPSILON and instance.memory_mib <= free.ram + guest.memory_mib + EPSILON
                and instance.local_disk_gib <= free.disk + guest.local_disk_gib + EPSILON and not instance.numa_bound)

    def run(self):
        stuck = set()
        while self.budget_left():
            pending = [host for host in self.overloaded() if host not in stuck]
            if not pending:
                return
            host = pending[0]
            # A guest that fixes the host alone, moved directly or by making room, before any partial fix.
            if not any(self.try_move(i, lambda target, i=i: self.under_thresholds(target, i)) or self.make_room(host, [i])
                       for group in self.fixes_and_rest(host) for i in group):
                stuck.add(host)

    ROOM_TARGETS = 20  # hosts, best first, on which making room is tried per guest

    def make_room(self, host, guests):
        """Two moves: a guest of `target` leaves (to a host under the thresholds, not `host`) so
        that a guest of the overloaded `host` fits on `target` under the thresholds."""
        if not self.budget_left(2):
            return False
        load = self.cluster.load
        for instance in guests:
            targets = sorted((name for name in self.candidates if name != host), key=lambda name: self.headroom(name, instance))
            for target in targets[:self.ROOM_TARGETS]:
                cpu, ram = load.util_with(target, instance)
                cpu_need = max(cpu - self.max_cpu, 0.0) * load.cpu_capacity[target]
                ram_need = max(ram - self.max_ram, 0.0) * load.ram_capacity[target]
                freeing = sorted((i for i in self.residents[target]
                                  if cpu_demand(i) >= cpu_need - EPSILON and i.memory_mib >= ram_need - EPSILON),
                                 key=lambda i: (cpu_demand(i), i.memory_mib, i.id))
                for guest in [g for g in freeing if self.fits_after_leaving(instance, target, g)][:3]:
                    if self.try_move(guest, lambda name, g=guest: name != host and self.under_thresholds(name, g)):
                        return self.try_move(instance, lambda name: name == target and self.under_thresholds(name, instance)) \
                            or True  # the guest's move stands (valid); the host is judged again
        return False


class Spread(_Strategy):
    MIN_GAIN = 0.005

    def run(self):
        load = self.cluster.load
        while self.budget_left():
            hottest = max(self.residents, key=lambda name: (load.peak(name), name))
            peak = load.peak(hottest)
            movable = sorted(self.residents[hottest], key=lambda i: (-i.memory_mib, -cpu_demand(i), i.id))
            if not any(self.try_move(i, lambda target, i=i: max(load.util_with(target, i)) < peak - self.MIN_GAIN) for i in movable):
                return


class Consolidate(_Strategy):
    def run(self):
        load = self.cluster.load
        order = sorted((name for name in self.residents if self.residents[name]), key=lambda name: (load.peak(name), name))
        emptied = []
        for host in order:
            guests = list(self.residents[host])
            if not self.budget_left(len(guests)):
                return
            saved = (copy.deepcopy(self.cluster.capacity), copy.deepcopy(load), dict(self.cluster.placement),
                     copy.deepcopy(self.residents), list(self.chosen))
            self.candidates = [name for name in self.candidates if name != host]
            if all(self.try_move(i, lambda target, i=i: target not in emptied and self.under_thresholds(target, i)) for i in guests):
                emptied.append(host)
                continue
            (self.cluster.capacity, self.cluster.load, self.cluster.placement, self.residents, self.chosen) = saved
            self.blocked.clear()
            return


STRATEGIES = {"threshold": Threshold, "spread": Spread, "consolidate": Consolidate}


def plan_moves(cluster, candidates, options):
    """(moves as (instance, source, target, reasons), blocked entries, hosts still over a threshold).

    Blocked entries are the guests of hosts left over a threshold that could not move, with
    the reasons; guests merely not needed for the objective are not reported.
    """
    strategy = STRATEGIES[options.get("objective", "threshold")](cluster, list(candidates), options)
    strategy.run()
    unresolved = Threshold.overloaded(strategy) if isinstance(strategy, Threshold) else []
    blocked = [blocked_entry(instance, reasons)
               for instance, reasons in strategy.blocked.values()
               if reasons and cluster.host_of(instance) in unresolved]
    return strategy.chosen, blocked, unresolved
