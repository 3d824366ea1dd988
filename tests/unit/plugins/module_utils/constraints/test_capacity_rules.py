"""Capacity rules: vCPU, RAM, disk and NUMA room on the target after planned moves."""

import pytest

from ansible_collections.vmops.migration.plugins.module_utils.capacity import Capacity
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import COLD, EVACUATE, LIVE
from ansible_collections.vmops.migration.plugins.module_utils.constraints.capacity_rules import (
    InsufficientDisk, InsufficientRam, InsufficientVcpu, NumaCapacity,
)
from tests.unit.clusters import cluster, host, instance, judge, move, snapshot

NUMA = [{"id": 0, "cpus": 16, "memory_mib": 65536, "pinned_cpus_free": 2, "hugepages_free": {"2048": 1024}},
        {"id": 1, "cpus": 16, "memory_mib": 65536, "pinned_cpus_free": 2, "hugepages_free": {"2048": 1024}}]


@pytest.mark.parametrize("rule, kwargs, message", [
    pytest.param(InsufficientVcpu, dict(vm={"vcpus": 8}, target={"vcpus": 4}),
                 "vm needs 8 vCPUs, compute-1 has 4 vCPUs free after planned moves", id="vcpu"),
    pytest.param(InsufficientRam, dict(target={"memory_mib": 2048, "reserved_memory_mib": 1024}),
                 "vm needs 4096 MiB RAM, compute-1 has 1024 MiB free after planned moves", id="ram-reserved"),
    pytest.param(InsufficientRam, dict(target={"memory_mib": 6144}, move_type=EVACUATE,
                                       others=[instance("big", "compute-1")]),
                 "vm needs 4096 MiB RAM, compute-1 has 2048 MiB free", id="ram-used-evacuate"),
    pytest.param(InsufficientDisk, dict(vm={"shared_storage": False, "disk_gib": 40}, target={"disk_gib": 10},
                                        move_type=COLD),
                 "vm needs 40 GiB local disk, compute-1 has 10 GiB free", id="disk"),
    pytest.param(NumaCapacity, dict(vm={"cpu_policy": "dedicated", "vcpus": 4}, target={"numa_nodes": NUMA}),
                 "vm needs 1 NUMA node with 4096 MiB RAM, 4 pinned CPUs free each; compute-1", id="numa-pinned"),
    pytest.param(NumaCapacity, dict(vm={"hugepages": "1GB", "numa_nodes": 2}, target={"numa_nodes": NUMA}),
                 "2 NUMA nodes with 2048 MiB RAM, 1GB huge pages", id="numa-hugepages"),
])
def test_rule_fires(rule, kwargs, message):
    reasons = judge(rule, **kwargs)
    assert [(r.code, r.severity, r.target) for r in reasons] == [(rule.code, "block", "compute-1")]
    assert message in reasons[0].message


@pytest.mark.parametrize("rule, kwargs", [
    pytest.param(InsufficientVcpu, dict(vm={"vcpus": 8}, target={"vcpus": 4, "cpu_allocation_ratio": 2.0}),
                 id="vcpu-overcommit"),
    pytest.param(InsufficientRam, dict(target={"memory_mib": 5120, "reserved_memory_mib": 1024}), id="ram-exact"),
    pytest.param(InsufficientDisk, dict(vm={"disk_gib": 40}, target={"disk_gib": 10}), id="disk-shared-storage"),
    pytest.param(InsufficientDisk, dict(vm={"disk_gib": 40, "shared_storage": False, "boot_from_volume": True},
                                        target={"disk_gib": 10}), id="disk-boot-from-volume"),
    pytest.param(NumaCapacity, dict(vm={"cpu_policy": "dedicated", "vcpus": 2}, target={"numa_nodes": NUMA}),
                 id="numa-fits"),
    pytest.param(NumaCapacity, dict(vm={"cpu_policy": "dedicated", "vcpus": 4}), id="numa-target-unknown"),
    pytest.param(NumaCapacity, dict(vm={"vcpus": 64}, target={"numa_nodes": NUMA}), id="numa-floating-guest"),
])
def test_near_miss(rule, kwargs):
    assert judge(rule, **kwargs) == []


def test_planned_moves_consume_numa_capacity():
    snap = cluster("4 hosts, one NUMA-pinned guest")
    capacity = Capacity(snap)
    assert NumaCapacity().check(move(snap, "pinned", "compute-2", capacity=capacity)) == []
    twin = instance("twin", "compute-0", cpu_policy="dedicated", vcpus=8, numa_nodes=2)
    for unused_guest in range(2):  # two more 8-vCPU pinned guests planned onto compute-2 use up its pinned CPUs
        capacity.move(snapshot([host("compute-0")], [twin]).instances[0], None, "compute-2")
    reasons = NumaCapacity().check(move(snap, "pinned", "compute-2", capacity=capacity))
    assert [r.code for r in reasons] == ["NUMA_CAPACITY"]


def test_ram_after_planned_moves():
    snap = snapshot([host("compute-0"), host("compute-1", memory_mib=6144)],
                    [instance("vm", "compute-0"), instance("other", "compute-0")])
    capacity = Capacity(snap)
    assert InsufficientRam().check(move(snap, "vm", "compute-1", LIVE, capacity=capacity)) == []
    capacity.move(snap.instance_by_id["other"], "compute-0", "compute-1")
    assert [r.code for r in InsufficientRam().check(move(snap, "vm", "compute-1", capacity=capacity))] == ["INSUFFICIENT_RAM"]
