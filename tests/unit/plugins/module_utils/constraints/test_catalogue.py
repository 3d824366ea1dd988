"""The catalogue: every rule registered, every reason returned."""

import pytest

from ansible_collections.vmops.migration.plugins.module_utils.constraints import catalogue
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import COLD, EVACUATE, LIVE
from tests.unit.clusters import cluster, codes, host, instance, move, snapshot

# DESIGN.md, "Constraint catalogue": the stable codes.
CATALOGUE_CODES = [
    "SAME_HOST", "ARCH_MISMATCH", "CPU_MODEL_MISMATCH", "CPU_FEATURES_MISSING",
    "INSUFFICIENT_VCPU", "INSUFFICIENT_RAM", "INSUFFICIENT_DISK", "NUMA_CAPACITY",
    "NUMA_LIVE_MIGRATION_DISABLED", "SCHEDULER_FILTERS_MISSING", "PINNED_TARGET_NOT_EQUIVALENT",
    "DPDK_TARGET_NOT_EQUIVALENT", "SHARED_CPU_SET_MISMATCH", "CROSS_CELL", "PCI_PASSTHROUGH",
    "SRIOV_NETWORK_DOWNTIME", "SRIOV_UNSUPPORTED", "PORT_RESOURCE_REQUEST", "READONLY_DEVICE",
    "BLOCK_MIGRATION_REQUIRED", "TASK_IN_PROGRESS", "INSTANCE_ERROR", "NOT_RUNNING", "SOURCE_SERVICE_DOWN",
    "TARGET_UNAVAILABLE", "MIXED_VERSION", "NUMA_TOPOLOGY_DIFFERS", "SERVER_GROUP_POLICY", "WILL_NOT_CONVERGE",
    "HOST_FACTS_MISSING", "EVACUATE_SOURCE_ALIVE",
    "KV_NOT_LIVE_MIGRATABLE", "KV_STORAGE_NOT_RWX", "KV_MIGRATION_IN_PROGRESS", "KV_CPU_MODEL_UNSUPPORTED",
    "KV_INSUFFICIENT_MEMORY", "KV_NOT_AUTHORIZED", "KV_EVICTION_STRATEGY_NONE", "KV_SPARE_MEMORY_SHORT",
    "KV_NO_MIGRATION_NETWORK", "KV_POST_COPY_RISK",
]


def test_codes_are_the_catalogue():
    assert len(set(CATALOGUE_CODES)) == len(CATALOGUE_CODES) == 41
    assert catalogue.codes() == sorted(CATALOGUE_CODES)


def test_every_rule_is_well_formed():
    for rule in catalogue.RULES:
        assert rule.code in CATALOGUE_CODES
        assert rule.severity in ("block", "warn", "info")
        assert set(rule.platforms) <= {"nova", "kubevirt"} and set(rule.move_types) <= {LIVE, COLD, EVACUATE}


def test_check_move_returns_every_reason():
    snap = snapshot(
        [host("compute-0"), host("compute-1", cpu_arch="aarch64", memory_mib=2048, status="disabled", version="33.0.0")],
        [instance("vm", "compute-0", task_state="migrating", pci_passthrough=["0000:3b:00.0"], config_drive="iso9660",
                  required_cpu_features=["avx512f"], shared_storage=False, dirty_rate_mibps=5000)],
    )
    reasons = catalogue.check_move(move(snap, "vm", "compute-1"))
    assert set(codes(reasons)) == {
        "TASK_IN_PROGRESS", "PCI_PASSTHROUGH", "READONLY_DEVICE", "TARGET_UNAVAILABLE", "MIXED_VERSION",
        "ARCH_MISMATCH", "CPU_FEATURES_MISSING", "INSUFFICIENT_RAM", "BLOCK_MIGRATION_REQUIRED", "WILL_NOT_CONVERGE",
        "HOST_FACTS_MISSING",
    }
    assert catalogue.is_blocked(reasons)
    instance_level = catalogue.instance_reasons(move(snap, "vm", "compute-1"))
    assert reasons[:len(instance_level)] == instance_level and all(r.target is None for r in instance_level)


def test_kubevirt_move_gets_only_platform_rules():
    snap = snapshot([host("node-0"), host("node-1", memory_mib=1024)],
                    [instance("vm", "node-0", storage_access_modes=["ReadWriteOnce"], eviction_strategy="LiveMigrate")],
                    platform="kubevirt", migration_network="migration")
    assert sorted(codes(catalogue.check_move(move(snap, "vm", "node-1")))) == [
        "KV_INSUFFICIENT_MEMORY", "KV_STORAGE_NOT_RWX"]


@pytest.mark.parametrize("name", ["4 hosts, one NUMA-pinned guest", "3 hosts, 9 plain guests"])
def test_named_clusters_move_cleanly(name):
    snap = cluster(name)
    for inst in snap.instances:
        target = next(h.name for h in snap.hosts if h.name != inst.host)
        reasons = catalogue.check_move(move(snap, inst.id, target))
        assert not catalogue.is_blocked(reasons), reasons


def test_rules_run_fast():
    import time
    hosts = [host("compute-%d" % i) for i in range(20)]
    snap = snapshot(hosts, [instance("vm-%d" % i, "compute-%d" % (i % 20)) for i in range(200)])
    started = time.perf_counter()
    for inst in snap.instances:
        catalogue.check_move(move(snap, inst.id, "compute-0" if inst.host != "compute-0" else "compute-1"))
    assert time.perf_counter() - started < 5
