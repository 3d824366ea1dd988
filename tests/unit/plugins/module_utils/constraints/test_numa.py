"""NUMA and DPDK rules."""

import pytest

from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import COLD
from ansible_collections.vmops.migration.plugins.module_utils.constraints.numa import (
    DpdkTargetNotEquivalent, NumaLiveMigrationDisabled, NumaLiveMigrationDisabledOnTarget, NumaTopologyDiffers,
    SchedulerFiltersMissing, host_numa_live_migration,
)
from tests.unit.clusters import host, instance, judge, snapshot

PINNED = {"cpu_policy": "dedicated", "vcpus": 4}
FILTERS = ["ComputeFilter", "AggregateInstanceExtraSpecsFilter", "NUMATopologyFilter"]
NUMA_2x16 = [{"id": 0, "cpus": 16, "memory_mib": 65536, "pinned_cpus_free": 8},
             {"id": 1, "cpus": 16, "memory_mib": 65536, "pinned_cpus_free": 8}]
NUMA_USED = [dict(node, memory_free_mib=32768) for node in NUMA_2x16]
NUMA_1x32 = [{"id": 0, "cpus": 32, "memory_mib": 131072, "pinned_cpus_free": 16}]
DPDK = {"dpdk": True, "host_facts_gathered": True}
OFF = {"host_facts_gathered": True, "numa_live_migration": False}


@pytest.mark.parametrize("rule, kwargs, words, target", [
    pytest.param(NumaLiveMigrationDisabled, dict(vm=PINNED, target=False, numa_live_migration=False),
                 ["in this cloud", "cold-migrate"], None, id="cloud-off"),
    pytest.param(NumaLiveMigrationDisabled, dict(vm={"hugepages": "2MB"}, source=OFF, target=False),
                 ["on source compute-0"], None, id="source-off-hugepages"),
    pytest.param(NumaLiveMigrationDisabled, dict(vm={"numa_nodes": 2}, source={"host_facts_gathered": True, "version": "19.1.0"},
                                                 target=False), ["on source compute-0"], None, id="source-unset-before-train"),
    pytest.param(NumaLiveMigrationDisabledOnTarget, dict(vm=PINNED, target=OFF, numa_live_migration=True),
                 ["on target compute-1"], "compute-1", id="target-off"),
    pytest.param(SchedulerFiltersMissing, dict(vm=PINNED, target=False, scheduler_filters=["ComputeFilter", "NUMATopologyFilter"]),
                 ["AggregateInstanceExtraSpecsFilter"], None, id="filter-missing"),
    pytest.param(SchedulerFiltersMissing, dict(vm={"numa_nodes": 1}, target=False, move_type=COLD, scheduler_filters=[]),
                 ["AggregateInstanceExtraSpecsFilter and NUMATopologyFilter"], None, id="both-filters-missing-cold"),
    pytest.param(DpdkTargetNotEquivalent, dict(vm={"dpdk": True}, source=DPDK, target={"host_facts_gathered": True}),
                 ["does not run OVS-DPDK", "compute-1"], "compute-1", id="dpdk-target-not-dpdk"),
    pytest.param(DpdkTargetNotEquivalent, dict(vm={"dpdk": True}, source=DPDK, target=dict(DPDK, cpu_model="Skylake-Server")),
                 ["Skylake-Server"], "compute-1", id="dpdk-cpu-model"),
    pytest.param(DpdkTargetNotEquivalent, dict(vm={"dpdk": True}, source=dict(DPDK, numa_nodes=NUMA_2x16),
                                               target=dict(DPDK, numa_nodes=NUMA_1x32)),
                 ["1 NUMA node (32 CPUs)"], "compute-1", id="dpdk-numa-layout"),
    pytest.param(DpdkTargetNotEquivalent, dict(vm={"dpdk": True}, source=DPDK, target=DPDK,
                                               others=[instance("x", "compute-1")]),
                 ["runs 1 other instance"], "compute-1", id="dpdk-target-busy"),
    pytest.param(NumaTopologyDiffers, dict(vm=PINNED, source={"numa_nodes": NUMA_2x16}, target={"numa_nodes": NUMA_1x32}),
                 ["may run slower on compute-1", "1 NUMA node"], "compute-1", id="layout"),
    pytest.param(NumaTopologyDiffers, dict(vm=PINNED, source={"nic_numa_nodes": {"ens1f0": 0}},
                                           target={"nic_numa_nodes": {"ens1f0": 1}}),
                 ["ens1f0:1", "source ens1f0:0"], "compute-1", id="nic-numa"),
    pytest.param(NumaTopologyDiffers, dict(vm=PINNED, source={"numa_nodes": NUMA_2x16}, target={"numa_nodes": NUMA_USED}),
                 ["NUMA node 0 already partly used"], "compute-1", id="node-partly-used"),
])
def test_rule_fires(rule, kwargs, words, target):
    reasons = judge(rule, **kwargs)
    assert [(r.code, r.severity, r.target) for r in reasons] == [(rule.code, rule.severity, target)]
    for word in words + ["vm"]:
        assert word in reasons[0].message


@pytest.mark.parametrize("rule, kwargs", [
    pytest.param(NumaLiveMigrationDisabled, dict(target=False, numa_live_migration=False), id="floating-guest"),
    pytest.param(NumaLiveMigrationDisabled, dict(vm=PINNED, target=False, numa_live_migration=False, move_type=COLD),
                 id="cold"),
    pytest.param(NumaLiveMigrationDisabled, dict(vm=PINNED, target=False, source={"host_facts_gathered": True}),
                 id="unset-on-train-or-later"),
    pytest.param(NumaLiveMigrationDisabled, dict(vm=PINNED, target=False), id="unknown"),
    pytest.param(NumaLiveMigrationDisabledOnTarget, dict(vm=PINNED, target=OFF, numa_live_migration=False),
                 id="target-off-already-reported-cloud-wide"),
    pytest.param(NumaLiveMigrationDisabledOnTarget, dict(vm=PINNED, target={"numa_live_migration": True}), id="target-on"),
    pytest.param(SchedulerFiltersMissing, dict(vm=PINNED, target=False, scheduler_filters=FILTERS), id="filters-enabled"),
    pytest.param(SchedulerFiltersMissing, dict(vm=PINNED, target=False), id="filters-unknown"),
    pytest.param(SchedulerFiltersMissing, dict(target=False, scheduler_filters=[]), id="floating-guest-filters"),
    pytest.param(DpdkTargetNotEquivalent, dict(vm={"dpdk": True}, source=DPDK, target=DPDK), id="dpdk-equivalent"),
    pytest.param(DpdkTargetNotEquivalent, dict(vm={"dpdk": True}, source=DPDK, target={}), id="dpdk-target-unknown"),
    pytest.param(DpdkTargetNotEquivalent, dict(source=DPDK, target={"host_facts_gathered": True}), id="not-dpdk-guest"),
    pytest.param(DpdkTargetNotEquivalent, dict(vm={"dpdk": True}, source=DPDK, target=DPDK,
                                               others=[instance("x", "compute-1")], placement={"x": "compute-0"}),
                 id="dpdk-target-emptied-by-plan"),
    pytest.param(NumaTopologyDiffers, dict(vm=PINNED, source={"numa_nodes": NUMA_2x16, "nic_numa_nodes": {"ens1f0": 0}},
                                           target={"numa_nodes": NUMA_2x16, "nic_numa_nodes": {"ens1f0": 0}}), id="same"),
    pytest.param(NumaTopologyDiffers, dict(source={"numa_nodes": NUMA_2x16}, target={"numa_nodes": NUMA_1x32}),
                 id="floating-guest-layout"),
    pytest.param(NumaTopologyDiffers, dict(vm=PINNED, source={"numa_nodes": NUMA_2x16}, target={"numa_nodes": NUMA_1x32},
                                           move_type=COLD), id="cold-layout"),
])
def test_near_miss(rule, kwargs):
    assert judge(rule, **kwargs) == []


@pytest.mark.parametrize("fields, expected", [
    ({}, None),
    ({"numa_live_migration": False}, False),
    ({"host_facts_gathered": True}, True),
    ({"host_facts_gathered": True, "version": "19.0.3"}, False),
    ({"host_facts_gathered": True, "version": None}, None),
])
def test_host_numa_live_migration(fields, expected):
    assert host_numa_live_migration(snapshot([host("compute-0", **fields)], []).hosts[0]) is expected
