"""Device rules: PCI passthrough, SR-IOV, QoS ports, read-only drives, local disks."""

import pytest

from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import COLD
from ansible_collections.vmops.migration.plugins.module_utils.constraints.devices import (
    BlockMigrationRequired, PciPassthrough, PortResourceRequest, ReadonlyDevice, SriovNetworkDowntime,
    SriovUnsupported,
)
from tests.unit.clusters import judge

DIRECT = {"sriov_ports": [{"vnic_type": "direct"}]}
LOCAL_40 = {"shared_storage": False, "disk_gib": 40}


@pytest.mark.parametrize("rule, kwargs, words, target", [
    pytest.param(PciPassthrough, dict(vm={"pci_passthrough": ["0000:3b:00.0"]}), ["0000:3b:00.0"], None, id="pci"),
    pytest.param(SriovNetworkDowntime, dict(vm={"sriov_ports": [{"vnic_type": "macvtap"}, {"vnic_type": "normal"}]}),
                 ["macvtap", "network downtime"], None, id="sriov-macvtap"),
    pytest.param(SriovUnsupported, dict(vm={"sriov_ports": [{"vnic_type": "direct-physical"}]}),
                 ["direct-physical", "cold-migrate instead"], None, id="sriov-physical"),
    pytest.param(SriovUnsupported, dict(vm=DIRECT, sriov_live_migration=False),
                 ["direct", "on this release", "cold-migrate instead"], None, id="sriov-old-release"),
    pytest.param(PortResourceRequest, dict(vm={"port_resource_request": True}), ["minimum-bandwidth"], None, id="qos"),
    pytest.param(ReadonlyDevice, dict(vm={"readonly_devices": ["hdc"]}), ["hdc"], None, id="cdrom"),
    pytest.param(ReadonlyDevice, dict(vm={"config_drive": "iso9660"}), ["iso9660 config drive"], None, id="iso9660"),
    pytest.param(BlockMigrationRequired, dict(vm=LOCAL_40, target={"migration_bandwidth_mibps": 512}),
                 ["40 GiB", "compute-1", "about 80 s more at 512 MiB/s"], "compute-1", id="local-disk"),
    pytest.param(BlockMigrationRequired, dict(vm=LOCAL_40, source={"migration_bandwidth_mibps": None},
                                              target={"migration_bandwidth_mibps": None}, migration_bandwidth_mibps=2048),
                 ["about 20 s more at 2048 MiB/s"], "compute-1", id="local-disk-cloud-bandwidth"),
])
def test_rule_fires(rule, kwargs, words, target):
    reasons = judge(rule, target=kwargs.pop("target", None if target else False), **kwargs)
    assert [(r.code, r.severity, r.target) for r in reasons] == [(rule.code, rule.severity, target)]
    for word in words + ["vm"]:
        assert word in reasons[0].message


@pytest.mark.parametrize("rule, kwargs", [
    pytest.param(PciPassthrough, dict(), id="no-pci"),
    pytest.param(PciPassthrough, dict(vm={"pci_passthrough": ["0000:3b:00.0"]}, move_type=COLD), id="pci-cold"),
    pytest.param(SriovNetworkDowntime, dict(vm=DIRECT, sriov_live_migration=False), id="downtime-old-release"),
    pytest.param(SriovNetworkDowntime, dict(vm={"sriov_ports": [{"vnic_type": "normal"}]}), id="normal-port"),
    pytest.param(SriovUnsupported, dict(vm=DIRECT), id="direct-migratable"),
    pytest.param(SriovUnsupported, dict(vm={"sriov_ports": [{"vnic_type": "normal"}]}, sriov_live_migration=False),
                 id="normal-port-old-release"),
    pytest.param(PortResourceRequest, dict(vm={"port_resource_request": False}), id="no-qos"),
    pytest.param(ReadonlyDevice, dict(vm={"config_drive": "vfat"}), id="vfat"),
    pytest.param(ReadonlyDevice, dict(vm={"readonly_devices": ["hdc"]}, move_type=COLD), id="cdrom-cold"),
    pytest.param(BlockMigrationRequired, dict(vm={"disk_gib": 40}, target=None), id="shared-storage"),
    pytest.param(BlockMigrationRequired, dict(vm=dict(LOCAL_40, boot_from_volume=True), target=None), id="boot-from-volume"),
])
def test_near_miss(rule, kwargs):
    kwargs.setdefault("target", False)
    assert judge(rule, **kwargs) == []
