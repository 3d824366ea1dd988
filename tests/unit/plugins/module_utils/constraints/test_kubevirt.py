"""KubeVirt rules."""

import pytest

from ansible_collections.vmops.migration.plugins.module_utils.constraints import kubevirt as kv
from tests.unit.clusters import host, instance, judge

NOT_MIGRATABLE = {"status": "False", "reason": "DisksNotLiveMigratable",
                  "message": "cannot migrate VMI: PVC rootdisk is not shared"}
SKYLAKE = {"cpu-model.node.kubevirt.io/Skylake-Server": "true"}
HOST_MODEL_SRC = {"host-model-cpu.node.kubevirt.io/Cascadelake-Server": "true"}
SMALL = {"memory_mib": 8192}


def kubevirt(rule, **kwargs):
    kwargs.setdefault("vm", {})
    kwargs["vm"] = dict({"eviction_strategy": "LiveMigrate"}, **kwargs["vm"])
    return judge(rule, platform="kubevirt", **kwargs)


@pytest.mark.parametrize("rule, kwargs, words, target", [
    pytest.param(kv.KvNotLiveMigratable, dict(vm={"live_migratable": NOT_MIGRATABLE}),
                 ["DisksNotLiveMigratable", "PVC rootdisk is not shared"], None, id="not-migratable"),
    pytest.param(kv.KvStorageNotRwx, dict(vm={"storage_access_modes": ["ReadWriteMany", "ReadWriteOnce"]}),
                 ["1 volume that is not ReadWriteMany (ReadWriteOnce)"], None, id="rwo-pvc"),
    pytest.param(kv.KvMigrationInProgress, dict(vm={"migration_in_progress": True}), ["in flight"], None,
                 id="in-flight"),
    pytest.param(kv.KvCpuModelUnsupported, dict(vm={"cpu_model": "Icelake-Server"}, target={"labels": SKYLAKE}),
                 ["CPU model Icelake-Server", "compute-1", "cpu-model.node.kubevirt.io/Icelake-Server=true"],
                 "compute-1", id="named-model"),
    pytest.param(kv.KvCpuModelUnsupported, dict(vm={"cpu_model": "host-model"}, source={"labels": HOST_MODEL_SRC},
                                                target={"labels": {"host-model-cpu.node.kubevirt.io/Skylake-Server": "true"}}),
                 ["host-model CPU Cascadelake-Server of source compute-0"], "compute-1", id="host-model"),
    pytest.param(kv.KvInsufficientMemory, dict(vm={"memory_mib": 16384}, target=SMALL),
                 ["requests 16384 MiB memory, node compute-1 has 8192 MiB free"], "compute-1", id="memory"),
    pytest.param(kv.KvNotAuthorized, dict(migrate_authorized=False), ["kubevirt.io:migrate"], None, id="not-authorized"),
    pytest.param(kv.KvEvictionStrategyNone, dict(vm={"eviction_strategy": "None"}), ["evictionStrategy None"], None,
                 id="eviction-none"),
    pytest.param(kv.KvEvictionStrategyNone, dict(vm={"eviction_strategy": None}), ["unset"], None, id="eviction-unset"),
    pytest.param(kv.KvSpareMemoryShort, dict(source={"memory_mib": 40960}, target=SMALL,
                                             others=[instance("big", "compute-0", memory_mib=32768)]),
                 ["draining 1 node in parallel needs 36864 MiB"], None, id="spare-short"),
    pytest.param(kv.KvSpareMemoryShort, dict(source=SMALL, target=dict(SMALL, schedulable=False),
                                             hosts=[host("compute-2", **SMALL)], nodes_draining_in_parallel=4),
                 ["12288 MiB spare", "draining 4 nodes in parallel needs 16384 MiB"], None, id="spare-short-parallel"),
    pytest.param(kv.KvNoMigrationNetwork, dict(), ["pod network"], None, id="no-migration-network"),
    pytest.param(kv.KvPostCopyRisk, dict(allow_post_copy=True), ["guest is lost"], None, id="post-copy"),
])
def test_rule_fires(rule, kwargs, words, target):
    if target is None:
        kwargs.setdefault("target", False)
    reasons = kubevirt(rule, **kwargs)
    assert [(r.code, r.severity, r.target) for r in reasons] == [(rule.code, rule.severity, target)]
    for word in words + ["vm"]:
        assert word in reasons[0].message


@pytest.mark.parametrize("rule, kwargs", [
    pytest.param(kv.KvNotLiveMigratable, dict(vm={"live_migratable": dict(NOT_MIGRATABLE, status="True")}), id="migratable"),
    pytest.param(kv.KvStorageNotRwx, dict(vm={"storage_access_modes": ["ReadWriteMany", "ReadWriteOnce,ReadWriteMany"]}),
                 id="all-rwx"),
    pytest.param(kv.KvMigrationInProgress, dict(), id="idle"),
    pytest.param(kv.KvCpuModelUnsupported, dict(vm={"cpu_model": "Skylake-Server"}, target={"labels": SKYLAKE}),
                 id="named-model-labelled"),
    pytest.param(kv.KvCpuModelUnsupported, dict(vm={"cpu_model": "host-model"}, source={"labels": HOST_MODEL_SRC},
                                                target={"labels": HOST_MODEL_SRC}), id="host-model-labelled"),
    pytest.param(kv.KvCpuModelUnsupported, dict(vm={"cpu_model": None}, target={"labels": SKYLAKE}), id="no-model"),
    pytest.param(kv.KvInsufficientMemory, dict(vm={"memory_mib": 8192}, target=SMALL), id="memory-exact"),
    pytest.param(kv.KvNotAuthorized, dict(migrate_authorized=None), id="authorization-unknown"),
    pytest.param(kv.KvEvictionStrategyNone, dict(vm={"eviction_strategy": "LiveMigrateIfPossible"}), id="eviction-ok"),
    pytest.param(kv.KvSpareMemoryShort, dict(), id="spare-enough"),
    pytest.param(kv.KvNoMigrationNetwork, dict(migration_network="migration-net"), id="migration-network"),
    pytest.param(kv.KvPostCopyRisk, dict(allow_post_copy=False), id="pre-copy-only"),
])
def test_near_miss(rule, kwargs):
    if rule.per_target is False:
        kwargs.setdefault("target", False)
    kwargs.setdefault("migration_network", "migration-net")
    assert kubevirt(rule, **kwargs) == []


@pytest.mark.parametrize("rule", kv.RULES)
def test_nova_snapshots_are_not_judged(rule):
    vm = {"live_migratable": NOT_MIGRATABLE, "eviction_strategy": None, "migration_in_progress": True,
          "storage_access_modes": ["ReadWriteOnce"], "cpu_model": "Icelake-Server", "memory_mib": 999999}
    assert judge(rule, vm=vm, migrate_authorized=False, allow_post_copy=True) == []
