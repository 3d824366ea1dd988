"""Guest NUMA placement from libvirt domain XML, before and after a move (issue 10, NUMA_TOPOLOGY_DIFFERS)."""
import os

import pytest

from ansible_collections.vmops.migration.plugins.module_utils import guest_placement, planner
from ansible_collections.vmops.migration.plugins.module_utils.host_config import nic_numa_nodes, numa_nodes
from tests.unit.clusters import host, instance, snapshot_dict

TREES = os.path.join(os.path.dirname(__file__), "..", "..", "..", "data", "host_trees")


def placed(host, instance):
    """The sample guest's placement on a sample host tree."""
    root = os.path.join(TREES, host)
    with open(os.path.join(root, "run", "libvirt", "qemu", instance + ".xml"), encoding="utf-8") as handle:
        domain = guest_placement.parse_domain(handle.read())
    return guest_placement.placement(domain, numa_nodes(root), nic_numa_nodes(root))


def test_parses_pins_memory_and_nics_from_a_status_file():
    with open(os.path.join(TREES, "compute-1", "run", "libvirt", "qemu", "instance-0000000b.xml"), encoding="utf-8") as handle:
        domain = guest_placement.parse_domain(handle.read())
    assert domain == {"name": "instance-0000000b", "vcpu_pins": {0: [14], 1: [15]}, "memory_nodes": [0],
                      "interfaces": ["eno1"]}


def test_placement_maps_cpus_and_nics_to_host_nodes():
    assert placed("compute-0", "instance-0000000c") == {
        "name": "instance-0000000c", "vcpu_nodes": {0: [0], 1: [0]}, "memory_nodes": [0], "nic_nodes": {"ens1f0": 1}}


@pytest.mark.parametrize("instance, source, target, expected", [
    ("instance-0000000a", "compute-0", "compute-1", []),
    ("instance-0000000b", "compute-0", "compute-1",
     ["memory on NUMA node(s) 0, away from the vCPUs on 1", "NIC eno1 on NUMA node 0, away from the vCPUs on 1"]),
    ("instance-0000000c", "compute-1", "compute-0", ["NIC ens1f0 on NUMA node 1, away from the vCPUs on 0"]),
])
def test_differences_after_the_move(instance, source, target, expected):
    assert guest_placement.differences(placed(source, instance), placed(target, instance)) == expected


def vcpus_on(*nodes):
    return {"name": "g", "vcpu_nodes": {i: [node] for i, node in enumerate(nodes)}, "memory_nodes": sorted(set(nodes)),
            "nic_nodes": {}}


@pytest.mark.parametrize("before, after, expected", [
    (vcpus_on(0, 0), vcpus_on(1, 1), []),  # another node number, same shape
    (vcpus_on(0, 0), vcpus_on(0, 1), ["vCPUs span 2 NUMA node(s) 0,1, on the source 1 0"]),
    (vcpus_on(0, 1), vcpus_on(0, 0), ["vCPUs span 1 NUMA node(s) 0, on the source 2 0,1"]),
])
def test_only_the_shape_counts(before, after, expected):
    assert guest_placement.differences(before, after) == expected


def test_a_nic_already_remote_on_the_source_is_not_a_new_difference():
    before = dict(vcpus_on(0), nic_nodes={"ens1f0": 1})
    assert guest_placement.differences(before, dict(vcpus_on(0), nic_nodes={"ens1f0": 1})) == []


def test_placement_after_a_json_round_trip_compares_the_same():
    """compare_to comes back from Ansible with string keys."""
    before = placed("compute-0", "instance-0000000b")
    before["vcpu_nodes"] = {str(key): value for key, value in before["vcpu_nodes"].items()}
    assert len(guest_placement.differences(before, placed("compute-1", "instance-0000000b"))) == 2


@pytest.mark.parametrize("text, problem", [
    ("not xml", "not XML"),
    ("<domstatus><monitor/></domstatus>", "no <domain> element (found <domstatus>)"),
])
def test_bad_xml_is_a_clear_error(text, problem):
    with pytest.raises(guest_placement.DomainXmlError) as raised:
        guest_placement.parse_domain(text)
    assert problem in str(raised.value)


@pytest.mark.parametrize("container, expected", [
    ("nova_libvirt", ["podman", "exec", "nova_libvirt", "virsh", "dumpxml", "instance-1"]),
    ("", ["virsh", "dumpxml", "instance-1"]),
])
def test_dumpxml_command(container, expected):
    params = {"instance_name": "instance-1", "container": container, "container_cli": "podman"}
    assert guest_placement.dumpxml_command(params) == expected


# --- which guests are checked, and the findings --------------------------------------------

COMPUTES = {"inv-a": "a", "inv-b": "b"}
FACTS = {"host_facts_gathered": True}


def plan_and_snapshot(flavor, gathered=("a", "b"), instance_name="instance-0000000a"):
    hosts = [host(name, **(FACTS if name in gathered else {})) for name in ("a", "b")]
    snapshot = snapshot_dict(hosts, [instance("vm", "a", instance_name=instance_name, **flavor)])
    return planner.drain(snapshot, ["a"]), snapshot


PINNED = {"cpu_policy": "dedicated"}


@pytest.mark.parametrize("flavor, gathered, instance_name, expected", [
    (PINNED, ("a", "b"), "instance-0000000a", [{"instance": "vm", "name": "vm", "instance_name": "instance-0000000a",
                                                "host": "inv-a", "hypervisor": "a"}]),
    ({"hugepages": "large"}, ("a", "b"), "instance-0000000a", 1),
    ({}, ("a", "b"), "instance-0000000a", []),  # floating: no NUMA topology to lose
    (PINNED, ("a",), "instance-0000000a", []),  # host facts off on the target
    (PINNED, ("a", "b"), None, []),  # no libvirt domain name known
])
def test_checks_before_the_run(flavor, gathered, instance_name, expected):
    plan, snapshot = plan_and_snapshot(flavor, gathered, instance_name)
    checks = guest_placement.placement_checks(plan, snapshot, COMPUTES)
    assert checks == expected if isinstance(expected, list) else len(checks) == expected


@pytest.mark.parametrize("status, read_before, expected_hosts", [
    ("completed", True, ["inv-b"]),
    ("force_completed", True, ["inv-b"]),
    ("aborted", True, []),
    ("completed", False, []),  # nothing to compare with
])
def test_checks_after_the_run_go_to_the_actual_target(status, read_before, expected_hosts):
    plan, snapshot = plan_and_snapshot(PINNED)
    before = [{"item": {"instance": "vm"}, "placement": vcpus_on(0)}] if read_before else [{"item": {"instance": "vm"}, "failed": True}]
    results = [{"instance": "vm", "status": status, "target": "b"}]
    checks = guest_placement.placement_checks(plan, snapshot, COMPUTES, results, before)
    assert [check["host"] for check in checks] == expected_hosts
    assert all(check["compare_to"] == vcpus_on(0) for check in checks)


def test_findings_name_the_instance_and_the_details():
    check = {"instance": "vm", "name": "web", "hypervisor": "b"}
    results = [{"item": check, "numa_topology_differs": True, "differences": ["NIC x on NUMA node 1, away from the vCPUs on 0"]},
               {"item": dict(check, instance="other"), "numa_topology_differs": False, "differences": []},
               {"item": dict(check, instance="unread"), "failed": True}]
    assert guest_placement.numa_findings(results) == [{
        "instance": "vm", "code": "NUMA_TOPOLOGY_DIFFERS", "severity": "warn", "target": "b",
        "message": "web on b after the move: NIC x on NUMA node 1, away from the vCPUs on 0"}]
