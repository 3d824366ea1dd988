"""Converters from Nova/Placement/Neutron JSON to snapshot fields, and the snapshot they build."""
import json
import os

import jsonschema
import pytest

from ansible_collections.vmops.migration.plugins.module_utils import nova_facts
from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "contracts", "snapshot.schema.json")
CPU = {"arch": "x86_64", "vendor": "Intel", "model": "Cascadelake-Server", "features": ["vmx", "avx2"]}


def hypervisor(uuid, service_id, **overrides):
    entry = {"id": uuid, "hypervisor_hostname": uuid, "service": {"id": service_id}, "vcpus": 64,
             "memory_mb": 262144, "local_gb": 2000, "cpu_info": CPU}
    entry.update(overrides)
    return entry


def service(uuid, host, **overrides):
    entry = {"id": uuid, "host": host, "binary": "nova-compute", "state": "up", "status": "enabled",
             "disabled_reason": None, "forced_down": False, "zone": "nova"}
    entry.update(overrides)
    return entry


def server(uuid, host, flavor=None, **overrides):
    entry = {"id": uuid, "name": "vm-" + uuid, "status": "ACTIVE", "OS-EXT-SRV-ATTR:host": host,
             "OS-EXT-STS:task_state": None, "image": {"id": "img"}, "config_drive": "", "metadata": {},
             "flavor": flavor or {"vcpus": 2, "ram": 4096, "disk": 20, "ephemeral": 0, "swap": "", "extra_specs": {}}}
    entry.update(overrides)
    return entry


def cluster(**overrides):
    data = {
        "hypervisors": [hypervisor("h0", "s0"), hypervisor("h1", "s1")],
        "services": [service("s0", "compute-0.localdomain"), service("s1", "compute-1.localdomain")],
        "servers": [server("a", "compute-0.localdomain"), server("b", "compute-1.localdomain"),
                    server("shelved", None, status="SHELVED_OFFLOADED")],
        "server_groups": [],
        "aggregates": [],
        "placement": {"h0": {"inventories": {"VCPU": {"allocation_ratio": 4.0, "reserved": 0},
                                             "MEMORY_MB": {"allocation_ratio": 1.0, "reserved": 4096}},
                             "usages": {"VCPU": 2}, "traits": ["HW_CPU_X86_AVX2"]}},
        "ports": [],
        "migrating_server_ids": [],
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("cpu_info, expected", [
    (CPU, {"cpu_arch": "x86_64", "cpu_vendor": "Intel", "cpu_model": "Cascadelake-Server", "cpu_features": ["avx2", "vmx"]}),
    (json.dumps(CPU), {"cpu_arch": "x86_64", "cpu_vendor": "Intel", "cpu_model": "Cascadelake-Server",
                       "cpu_features": ["avx2", "vmx"]}),
    ("", {"cpu_vendor": None, "cpu_model": None, "cpu_features": []}),
    ("not json", {"cpu_vendor": None, "cpu_model": None, "cpu_features": []}),
    (None, {"cpu_vendor": None, "cpu_model": None, "cpu_features": []}),
])
def test_cpu_fields(cpu_info, expected):
    assert nova_facts.cpu_fields(cpu_info) == expected


@pytest.mark.parametrize("api, expected", [
    (service("s", "c", state="down", status="disabled", disabled_reason="vmops:drain:1", forced_down=True),
     {"state": "down", "status": "disabled", "disabled_reason": "vmops:drain:1", "forced_down": True}),
    ({"id": "s", "host": "c"}, {"state": "down", "status": "enabled", "disabled_reason": None, "forced_down": False}),
])
def test_service_fields(api, expected):
    assert nova_facts.service_fields(api) == expected


def test_placement_fields_ratios_reserved_traits_usage():
    inventories = {"VCPU": {"allocation_ratio": 16.0}, "MEMORY_MB": {"allocation_ratio": 1.5, "reserved": 512},
                   "DISK_GB": {"allocation_ratio": 1.0}}
    assert nova_facts.placement_fields(inventories, {"VCPU": 3}, ["B", "A"]) == {
        "traits": ["A", "B"], "placement_usage": {"VCPU": 3}, "cpu_allocation_ratio": 16.0,
        "ram_allocation_ratio": 1.5, "disk_allocation_ratio": 1.0, "reserved_memory_mib": 512}


def test_aggregate_fields_merges_metadata_and_zone():
    aggregates = [
        {"name": "pinned", "hosts": ["c0"], "availability_zone": None, "metadata": {"pinned": "true"}},
        {"name": "az1", "hosts": ["c0", "c1"], "availability_zone": "az1",
         "metadata": {"availability_zone": "az1", "pinned": "false"}},
    ]
    assert nova_facts.aggregate_fields(aggregates) == {
        "c0": {"aggregates": ["az1", "pinned"], "aggregate_metadata": {"pinned": "false,true"}, "availability_zone": "az1"},
        "c1": {"aggregates": ["az1"], "aggregate_metadata": {"pinned": "false"}, "availability_zone": "az1"},
    }


@pytest.mark.parametrize("specs, policy", [
    ({}, "shared"),
    ({"hw:cpu_policy": "dedicated"}, "dedicated"),
    ({"hw:cpu_policy": "mixed"}, "mixed"),
    ({"hw:cpu_policy": "bogus"}, "shared"),
    ({"resources:PCPU": "4"}, "dedicated"),
    ({"resources:PCPU": "2", "resources:VCPU": "2"}, "mixed"),
])
def test_cpu_policy(specs, policy):
    assert nova_facts.cpu_policy(specs) == policy


@pytest.mark.parametrize("flavor, boot_from_volume, expected", [
    ({"vcpus": 2, "ram": 4096, "disk": 20, "ephemeral": 10, "swap": 1024, "extra_specs": {}}, False,
     {"disk_gib": 31.0, "numa_nodes": None, "hugepages": None, "pci_passthrough": []}),
    ({"vcpus": 2, "ram": 4096, "disk": 20, "ephemeral": 0, "swap": "", "extra_specs": {}}, True,
     {"disk_gib": 0.0}),
    ({"vcpus": 4, "ram": 8192, "disk": 0, "ephemeral": 0, "swap": "",
      "extra_specs": {"hw:numa_nodes": "2", "hw:mem_page_size": "1GB", "pci_passthrough:alias": "gpu:2, nic:1"}}, False,
     {"numa_nodes": 2, "hugepages": "1GB", "pci_passthrough": ["gpu", "nic"]}),
])
def test_flavor_fields(flavor, boot_from_volume, expected):
    fields = nova_facts.flavor_fields(flavor, boot_from_volume)
    assert {name: fields[name] for name in expected} == expected
    assert (fields["vcpus"], fields["memory_mib"]) == (flavor["vcpus"], flavor["ram"])


@pytest.mark.parametrize("overrides, expected", [
    ({}, {"boot_from_volume": False, "config_drive": "none", "ha_enabled": False, "dirty_rate_mibps": None}),
    ({"image": ""}, {"boot_from_volume": True}),
    ({"config_drive": "True"}, {"config_drive": "iso9660"}),
    ({"metadata": {"HA_Enabled": "True"}}, {"ha_enabled": True}),
    ({"metadata": {"vmops:dirty_rate_mibps": "120", "sim_dirty_mibps": "5"}}, {"dirty_rate_mibps": 120.0}),
    ({"metadata": {"sim_dirty_mibps": "5"}}, {"dirty_rate_mibps": 5.0}),
    ({"metadata": {"vmops:dirty_rate_mibps": "fast"}}, {"dirty_rate_mibps": None}),
    ({"status": "SHUTOFF", "OS-EXT-STS:task_state": "migrating"}, {"status": "SHUTOFF", "task_state": "migrating"}),
])
def test_instance_fields(overrides, expected):
    fields = nova_facts.instance_fields(server("a", "c0", **overrides))
    assert {name: fields[name] for name in expected} == expected


def test_instance_fields_vfat_config_drive():
    assert nova_facts.instance_fields(server("a", "c0", config_drive="True"), "vfat")["config_drive"] == "vfat"


@pytest.mark.parametrize("group, expected", [
    ({"id": "g", "policies": ["anti-affinity"], "members": ["a", "b"]},
     {"a": {"id": "g", "policy": "anti-affinity"}, "b": {"id": "g", "policy": "anti-affinity"}}),
    ({"id": "g", "policy": "soft-affinity", "members": ["a"]}, {"a": {"id": "g", "policy": "soft-affinity"}}),
    ({"id": "g", "policies": [], "members": ["a"]}, {}),
])
def test_groups_by_member(group, expected):
    assert nova_facts.groups_by_member([group]) == expected


def test_ports_by_device():
    ports = [
        {"id": "p1", "device_id": "a", "binding:vnic_type": "direct", "resource_request": None},
        {"id": "p2", "device_id": "a", "binding:vnic_type": "normal", "resource_request": {"resources": {"X": 1}}},
        {"id": "p3", "device_id": "b", "binding:vnic_type": "normal"},
        {"id": "p4", "device_id": "", "binding:vnic_type": "direct"},
    ]
    assert nova_facts.ports_by_device(ports) == {
        "a": {"sriov_ports": [{"id": "p1", "vnic_type": "direct"}], "port_resource_request": True},
        "b": {"sriov_ports": [], "port_resource_request": False},
    }


def test_build_snapshot_validates_and_joins():
    data = cluster(
        server_groups=[{"id": "g", "policies": ["affinity"], "members": ["a"]}],
        ports=[{"id": "p", "device_id": "b", "binding:vnic_type": "macvtap"}],
        migrating_server_ids=["b"],
        aggregates=[{"name": "fast", "hosts": ["compute-1.localdomain"], "metadata": {"ssd": "true"}}],
    )
    snapshot = nova_facts.build_snapshot(data, host_bandwidth={"compute-0": 2000}, migration_bandwidth_mibps=1000,
                                         taken_at="2025-01-01T00:00:00+00:00")
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        jsonschema.validate(snapshot, json.load(f))
    hosts = {host["name"]: host for host in snapshot["hosts"]}
    assert sorted(hosts) == ["compute-0.localdomain", "compute-1.localdomain"]
    assert hosts["compute-0.localdomain"]["migration_bandwidth_mibps"] == 2000
    assert hosts["compute-0.localdomain"]["reserved_memory_mib"] == 4096
    assert hosts["compute-1.localdomain"]["aggregate_metadata"] == {"ssd": "true"}
    assert "traits" not in hosts["compute-1.localdomain"]
    instances = {instance["id"]: instance for instance in snapshot["instances"]}
    assert sorted(instances) == ["a", "b"]
    assert instances["a"]["server_group"] == {"id": "g", "policy": "affinity"}
    assert instances["b"]["migration_in_progress"] is True
    assert instances["b"]["sriov_ports"] == [{"id": "p", "vnic_type": "macvtap"}]
    assert snapshot["settings"] == {"migration_bandwidth_mibps": 1000}


def test_build_snapshot_only_wanted_hosts():
    snapshot = nova_facts.build_snapshot(cluster(), hosts=["compute-1"])
    assert [host["name"] for host in snapshot["hosts"]] == ["compute-1.localdomain"]
    assert [instance["id"] for instance in snapshot["instances"]] == ["b"]


@pytest.mark.parametrize("options, parameter", [
    ({"hosts": ["compute-9"]}, "hosts"),
    ({"host_bandwidth": {"compute-9": 100}}, "host_migration_bandwidth_mibps"),
    ({"host_bandwidth": {"compute-0": 0}}, "host_migration_bandwidth_mibps"),
])
def test_build_snapshot_rejects_bad_options(options, parameter):
    with pytest.raises(InputError) as error:
        nova_facts.build_snapshot(cluster(), **options)
    assert error.value.parameter == parameter


def test_compute_nodes_skips_hypervisors_without_a_compute_service():
    nodes = nova_facts.compute_nodes([hypervisor("h0", "s0"), hypervisor("h9", "gone")], [service("s0", "c0")])
    assert list(nodes) == ["c0"]
