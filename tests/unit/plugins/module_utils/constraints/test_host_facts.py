"""HOST_FACTS_MISSING: only when a host-level check mattered to the instance and could not run."""

import pytest

from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import COLD
from ansible_collections.vmops.migration.plugins.module_utils.constraints.host_facts import HostFactsMissing
from tests.unit.clusters import judge

FACTS = {"host_facts_gathered": True}
PINNED = {"cpu_policy": "dedicated", "vcpus": 4}
NUMA = [{"id": 0, "cpus": 16, "memory_mib": 65536}]
FILTERS = ["AggregateInstanceExtraSpecsFilter", "NUMATopologyFilter"]


@pytest.mark.parametrize("kwargs, message", [
    pytest.param(dict(source=FACTS), "vm to compute-1: SHARED_CPU_SET_MISMATCH unchecked: host facts not gathered on compute-1",
                 id="floating-target-without-facts"),
    pytest.param(dict(vm=PINNED, scheduler_filters=FILTERS),
                 "PINNED_TARGET_NOT_EQUIVALENT, NUMA_LIVE_MIGRATION_DISABLED unchecked: host facts not gathered on "
                 "compute-0, compute-1", id="pinned-no-facts"),
    pytest.param(dict(vm=dict(PINNED, cpu_policy="dedicated"), source=dict(FACTS, numa_nodes=NUMA),
                      target=dict(FACTS, numa_nodes=NUMA)),
                 "SCHEDULER_FILTERS_MISSING unchecked: scheduler filters not gathered from the controllers",
                 id="filters-not-gathered"),
    pytest.param(dict(vm={"dpdk": True}, source=FACTS, target={"cpu_shared_set": "0-3"}),
                 "SHARED_CPU_SET_MISMATCH, DPDK_TARGET_NOT_EQUIVALENT unchecked: host facts not gathered on compute-1",
                 id="dpdk"),
    pytest.param(dict(vm={"hugepages": "1GB"}, move_type=COLD),
                 "SCHEDULER_FILTERS_MISSING unchecked", id="cold-only-scheduler-filters"),
])
def test_reports_skipped_checks(kwargs, message):
    reasons = judge(HostFactsMissing, **kwargs)
    assert [(r.code, r.severity, r.target) for r in reasons] == [("HOST_FACTS_MISSING", "info", "compute-1")]
    assert message in reasons[0].message


@pytest.mark.parametrize("kwargs", [
    pytest.param(dict(source=FACTS, target=FACTS), id="floating-facts-everywhere"),
    pytest.param(dict(source={"cpu_shared_set": "0-3"}, target={"cpu_shared_set": "0-3"}), id="shared-sets-given"),
    pytest.param(dict(source=FACTS, move_type=COLD), id="floating-cold"),
    pytest.param(dict(vm=PINNED, source=dict(FACTS, numa_nodes=NUMA), target=dict(FACTS, numa_nodes=NUMA),
                      scheduler_filters=FILTERS), id="pinned-facts-everywhere"),
    pytest.param(dict(vm=PINNED, source={"numa_nodes": NUMA, "cpu_shared_set": "0-1"}, target={"numa_nodes": NUMA},
                      numa_live_migration=True, scheduler_filters=FILTERS), id="pinned-cloud-settings-known"),
    pytest.param(dict(vm={"dpdk": True}, source=dict(FACTS, cpu_shared_set="0-3"),
                      target={"dpdk": True, "cpu_shared_set": "0-3"}), id="dpdk-known"),
    pytest.param(dict(platform="kubevirt"), id="kubevirt"),
])
def test_near_miss(kwargs):
    assert judge(HostFactsMissing, **kwargs) == []
