# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Utilisation per host, the quantity the planner balances and rebalance thresholds judge.

CPU utilisation is the guests' CPU demand over the host's physical CPUs: a guest demands its
vCPUs times its measured `cpu_util`, or all its vCPUs when nothing was measured. RAM
utilisation is guest memory over the host's memory less reserved memory.
"""

from __future__ import annotations


def cpu_demand(instance):
    return instance.vcpus * (instance.cpu_util if instance.cpu_util is not None else 1.0)


class Load:
    def __init__(self, snapshot):
        self.cpu_capacity = {host.name: float(host.vcpus) for host in snapshot.hosts}
        self.ram_capacity = {host.name: float(max(host.memory_mib - host.reserved_memory_mib, 0)) for host in snapshot.hosts}
        self.cpu_used = dict.fromkeys(self.cpu_capacity, 0.0)
        self.ram_used = dict.fromkeys(self.cpu_capacity, 0.0)
        for instance in snapshot.instances:
            self._add(instance.host, instance, 1)

    def _add(self, host, instance, sign):
        self.cpu_used[host] += sign * cpu_demand(instance)
        self.ram_used[host] += sign * instance.memory_mib

    def move(self, instance, source, target):
        if source in self.cpu_used:
            self._add(source, instance, -1)
        self._add(target, instance, 1)

    def util(self, host, extra_cpu=0.0, extra_ram=0.0):
        """(cpu, ram) utilisation of `host`, optionally with extra demand added."""
        cpu_cap, ram_cap = self.cpu_capacity[host], self.ram_capacity[host]
        cpu = (self.cpu_used[host] + extra_cpu) / cpu_cap if cpu_cap else float("inf") if self.cpu_used[host] + extra_cpu else 0.0
        ram = (self.ram_used[host] + extra_ram) / ram_cap if ram_cap else float("inf") if self.ram_used[host] + extra_ram else 0.0
        return cpu, ram

    def util_with(self, host, instance):
        return self.util(host, cpu_demand(instance), instance.memory_mib)

    def peak(self, host):
        return max(self.util(host))

    def report(self, hosts):
        return {name: {"cpu": round(self.util(name)[0], 4), "ram": round(self.util(name)[1], 4)} for name in hosts}
