"""CPU rules: architecture, model, features, shared and dedicated CPU sets."""

import pytest

from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import COLD, EVACUATE
from ansible_collections.vmops.migration.plugins.module_utils.constraints.cpu import (
    ArchMismatch, CpuFeaturesMissing, CpuModelMismatch, PinnedTargetNotEquivalent, SharedCpuSetMismatch,
)
from tests.unit.clusters import judge

FACTS = {"host_facts_gathered": True}
NUMA_2x16 = [{"id": 0, "cpus": 16, "memory_mib": 65536}, {"id": 1, "cpus": 16, "memory_mib": 65536}]
NUMA_1x32 = [{"id": 0, "cpus": 32, "memory_mib": 131072}]


@pytest.mark.parametrize("rule, kwargs, words", [
    pytest.param(ArchMismatch, dict(target={"cpu_arch": "aarch64"}), ["x86_64", "aarch64", "compute-1"], id="arch"),
    pytest.param(ArchMismatch, dict(target={"cpu_arch": "aarch64"}, move_type=EVACUATE), ["aarch64"], id="arch-evacuate"),
    pytest.param(CpuModelMismatch, dict(vm={"cpu_mode": "host-passthrough"}, target={"cpu_model": "Skylake-Server"}),
                 ["host-passthrough", "Skylake-Server", "compute-1"], id="model-passthrough"),
    pytest.param(CpuModelMismatch, dict(source={"cpu_mode": "host-passthrough"}, target={"cpu_vendor": "AMD"}),
                 ["AMD"], id="vendor-host-default-passthrough"),
    pytest.param(CpuFeaturesMissing, dict(vm={"required_cpu_features": ["avx512f"]}), ["avx512f", "compute-1"],
                 id="required-feature"),
    pytest.param(CpuFeaturesMissing, dict(vm={"required_cpu_features": ["avx512f"]}, move_type=COLD), ["avx512f"],
                 id="required-feature-cold"),
    pytest.param(CpuFeaturesMissing, dict(vm={"cpu_mode": "host-model"}, source={"cpu_features": ["avx2", "sse4_2", "pku"]}),
                 ["pku"], id="source-feature-host-model"),
    pytest.param(CpuFeaturesMissing, dict(source={"cpu_mode": "host-passthrough", "cpu_features": ["avx2", "sse4_2", "pku", "vmx"]}),
                 ["pku, vmx"], id="source-features-passthrough"),
    pytest.param(SharedCpuSetMismatch, dict(source=dict(FACTS, cpu_shared_set="0-3"), target=dict(FACTS, cpu_shared_set="0-5")),
                 ["0-3", "0-5", "compute-1"], id="shared-set-differs"),
    pytest.param(SharedCpuSetMismatch, dict(source=dict(FACTS, cpu_shared_set="0-3"), target=FACTS),
                 ["(unset)"], id="shared-set-unset-on-target"),
    pytest.param(SharedCpuSetMismatch, dict(source={"cpu_shared_set": "0-3"}, target={"cpu_shared_set": "0-2"}),
                 ["0-2"], id="shared-set-given-without-facts"),
    pytest.param(PinnedTargetNotEquivalent, dict(vm={"cpu_policy": "dedicated"}, source={"numa_nodes": NUMA_2x16},
                                                 target={"numa_nodes": NUMA_1x32}),
                 ["1 NUMA node (32 CPUs)", "2 NUMA nodes (16/16 CPUs)"], id="pinned-numa-layout"),
    pytest.param(PinnedTargetNotEquivalent, dict(vm={"cpu_policy": "dedicated"}, source={"cpu_dedicated_set": "8-15"},
                                                 target={"cpu_dedicated_set": "8-11"}),
                 ["cpu_dedicated_set 8-11"], id="pinned-dedicated-set-size"),
])
def test_rule_fires(rule, kwargs, words):
    reasons = judge(rule, **kwargs)
    assert [r.code for r in reasons] == [rule.code]
    assert reasons[0].severity == "block" and reasons[0].target == "compute-1"
    for word in words + ["vm"]:
        assert word in reasons[0].message


@pytest.mark.parametrize("rule, kwargs", [
    pytest.param(ArchMismatch, dict(), id="arch-same"),
    pytest.param(ArchMismatch, dict(target={"cpu_arch": None}), id="arch-unknown"),
    pytest.param(CpuModelMismatch, dict(target={"cpu_model": "Skylake-Server"}), id="model-differs-not-passthrough"),
    pytest.param(CpuModelMismatch, dict(vm={"cpu_mode": "host-model"}, source={"cpu_mode": "host-passthrough"},
                                        target={"cpu_model": "Skylake-Server"}), id="instance-mode-wins-over-host"),
    pytest.param(CpuModelMismatch, dict(vm={"cpu_mode": "host-passthrough"}, target={"cpu_model": "Skylake-Server"},
                                        move_type=COLD), id="model-cold"),
    pytest.param(CpuModelMismatch, dict(vm={"cpu_mode": "host-passthrough"}), id="model-identical"),
    pytest.param(CpuFeaturesMissing, dict(vm={"required_cpu_features": ["avx2"]}), id="required-present"),
    pytest.param(CpuFeaturesMissing, dict(vm={"cpu_mode": "custom"}, source={"cpu_features": ["avx2", "pku"]}),
                 id="custom-mode-ignores-source"),
    pytest.param(CpuFeaturesMissing, dict(vm={"cpu_mode": "host-model"}, source={"cpu_features": ["avx2", "pku"]},
                                          move_type=COLD), id="cold-ignores-source"),
    pytest.param(CpuFeaturesMissing, dict(vm={"required_cpu_features": ["avx512f"]}, target={"cpu_features": []}),
                 id="target-features-unknown"),
    pytest.param(SharedCpuSetMismatch, dict(source=dict(FACTS, cpu_shared_set="0-3,8-11,^2"),
                                            target=dict(FACTS, cpu_shared_set="0,1,3,8-11")), id="same-cpus-other-spelling"),
    pytest.param(SharedCpuSetMismatch, dict(source={"cpu_shared_set": "0-3"}, target={}), id="no-facts-on-target"),
    pytest.param(SharedCpuSetMismatch, dict(vm={"cpu_policy": "dedicated"}, source=dict(FACTS, cpu_shared_set="0-3"),
                                            target=dict(FACTS, cpu_shared_set="0-5")), id="pinned-guest"),
    pytest.param(SharedCpuSetMismatch, dict(source=dict(FACTS, cpu_shared_set="0-3"), target=dict(FACTS, cpu_shared_set="0-5"),
                                            move_type=COLD), id="shared-set-cold"),
    pytest.param(PinnedTargetNotEquivalent, dict(vm={"cpu_policy": "dedicated"}, source={"numa_nodes": NUMA_2x16,
                 "cpu_dedicated_set": "8-15"}, target={"numa_nodes": NUMA_2x16, "cpu_dedicated_set": "16-23"}),
                 id="pinned-equivalent"),
    pytest.param(PinnedTargetNotEquivalent, dict(source={"numa_nodes": NUMA_2x16}, target={"numa_nodes": NUMA_1x32}),
                 id="floating-guest"),
    pytest.param(PinnedTargetNotEquivalent, dict(vm={"cpu_policy": "dedicated"}, source={"numa_nodes": NUMA_2x16}),
                 id="target-layout-unknown"),
])
def test_near_miss(rule, kwargs):
    assert judge(rule, **kwargs) == []


def test_unchecked_reports_hosts_without_facts():
    from tests.unit.clusters import move, snapshot, host, instance
    snap = snapshot([host("compute-0", host_facts_gathered=True), host("compute-1")], [instance("vm", "compute-0")])
    assert SharedCpuSetMismatch().unchecked(move(snap, "vm", "compute-1")) == "host facts not gathered on compute-1"
    snap = snapshot([host("compute-0", cpu_shared_set="0-3"), host("compute-1", cpu_shared_set="0-3")],
                    [instance("vm", "compute-0")])
    assert SharedCpuSetMismatch().unchecked(move(snap, "vm", "compute-1")) is None
