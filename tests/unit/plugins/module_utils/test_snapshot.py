import copy

import jsonschema
import pytest

from ansible_collections.vmops.migration.plugins.module_utils.snapshot import SnapshotError, parse_snapshot, to_dict
from tests.unit.clusters import host, instance, snapshot_dict
from tests.unit.plan_checks import SNAPSHOT_SCHEMA


def base():
    return snapshot_dict([host("compute-0"), host("compute-1")], [instance("vm-a", "compute-0")])


def test_parses_typed_objects_with_defaults():
    snap = parse_snapshot(base())
    assert snap.host_by_name["compute-1"].state == "up"
    assert snap.host_by_name["compute-1"].ram_allocation_ratio == 1.0
    assert snap.instance_by_id["vm-a"].cpu_policy == "shared"
    assert snap.settings.max_concurrent_live_migrations == 1


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["instances"][0].update(memory_mib="8G"), 'instances[0].memory_mib: must be an integer >= 0, got "8G"'),
    (lambda d: d["instances"][0].update(vcpus=-1), "instances[0].vcpus: must be an integer >= 0, got -1"),
    (lambda d: d["hosts"][1].update(state="sleeping"), 'hosts[1].state: must be one of up, down, got "sleeping"'),
    (lambda d: d["hosts"][0].pop("vcpus"), "hosts[0].vcpus: is required"),
    (lambda d: d["instances"][0].update(host="compute-9"), 'instances[0].host: unknown host "compute-9"'),
    (lambda d: d.update(version=2), "version: must be 1, got 2"),
    (lambda d: d.update(platform="vmware"), 'platform: must be one of nova, kubevirt, got "vmware"'),
    (lambda d: d["hosts"].append(host("compute-0")), 'hosts[2].name: duplicate host "compute-0"'),
    (lambda d: d["hosts"][0].update(numa_nodes=[{"id": "x"}]), 'hosts[0].numa_nodes[0].id: must be an integer >= 0, got "x"'),
    (lambda d: d["instances"][0].update(cpu_policy="pinned"), 'instances[0].cpu_policy: must be one of shared, dedicated, mixed, got "pinned"'),
    (lambda d: d["settings"].update(max_concurrent_live_migrations=True), "settings.max_concurrent_live_migrations: must be an integer >= 0, got True"),
    (lambda d: d.update(hosts={}), "hosts: must be a list, got {}"),
])
def test_bad_snapshot_names_path_and_problem(mutate, message):
    data = base()
    mutate(data)
    with pytest.raises(SnapshotError) as raised:
        parse_snapshot(data)
    assert message in raised.value.problems


def test_reports_every_problem_at_once():
    data = base()
    data["instances"][0]["memory_mib"] = "8G"
    data["hosts"][1]["vcpus"] = "many"
    with pytest.raises(SnapshotError) as raised:
        parse_snapshot(data)
    assert len(raised.value.problems) == 2
    assert str(raised.value).startswith("snapshot: ")  # people see which parameter is wrong


def test_round_trip_keeps_unknown_fields():
    data = base()
    data["hosts"][0]["rack"] = "r12"
    data["instances"][0]["owner"] = {"team": "db"}
    data["collector"] = "manual"
    out = to_dict(parse_snapshot(copy.deepcopy(data)))
    assert out["hosts"][0]["rack"] == "r12"
    assert out["instances"][0]["owner"] == {"team": "db"}
    assert out["collector"] == "manual"
    jsonschema.validate(out, SNAPSHOT_SCHEMA)


def test_does_not_modify_its_input():
    data = base()
    before = copy.deepcopy(data)
    parse_snapshot(data)
    assert data == before


@pytest.mark.parametrize("fields, bound", [
    ({}, False), ({"numa_nodes": 1}, True), ({"cpu_policy": "dedicated"}, True),
    ({"hugepages": "2MB"}, True), ({"hugepages": "small"}, False),
])
def test_numa_bound(fields, bound):
    snap = parse_snapshot(snapshot_dict([host("h")], [instance("i", "h", **fields)]))
    assert snap.instances[0].numa_bound is bound


@pytest.mark.parametrize("fields, local", [
    ({"disk_gib": 40, "shared_storage": False}, 40), ({"disk_gib": 40, "shared_storage": True}, 0),
    ({"disk_gib": 40, "shared_storage": False, "boot_from_volume": True}, 0),
])
def test_local_disk(fields, local):
    snap = parse_snapshot(snapshot_dict([host("h")], [instance("i", "h", **fields)]))
    assert snap.instances[0].local_disk_gib == local
