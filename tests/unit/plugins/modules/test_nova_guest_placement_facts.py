"""nova_guest_placement_facts run for real (`ansible -m`) against the sample host trees' domain XMLs."""
import json
import os
import subprocess
import sys

import pytest

from tests.unit.plugins.modules.test_nova_host_config_facts import ANSIBLE, REPO, TREES, results_by_host, tree_digest

pytestmark = pytest.mark.skipif(ANSIBLE is None, reason="ansible CLI not installed")

# compute-0 holds every guest's source placement (vCPUs, memory and NIC on one node), compute-1 the targets.
SOURCE = {"name": "instance-0000000b", "vcpu_nodes": {"0": [0], "1": [0]}, "memory_nodes": [0], "nic_nodes": {"eno1": 0}}
CASES = {
    "moved-apart": {"instance_name": "instance-0000000b", "root": "compute-1", "compare_to": SOURCE},
    "moved-alike": {"instance_name": "instance-0000000a", "root": "compute-1", "compare_to": SOURCE},
    "no-compare": {"instance_name": "instance-0000000b", "root": "compute-0"},
    "unknown": {"instance_name": "instance-ffffffff", "root": "compute-0"},
}


def run(tmp_path, *extra):
    hosts = {name: {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                    "case": dict(case, root=os.path.join(TREES, case["root"]))} for name, case in CASES.items()}
    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps({"all": {"hosts": hosts}}))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".cache", "collections"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.minimal", ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"))
    command = [ANSIBLE, "all", "-i", str(inventory), "-m", "vmops.migration.nova_guest_placement_facts",
               "-a", "instance_name={{ case.instance_name }} root={{ case.root }} compare_to={{ case.compare_to | default(omit) }}",
               *extra]
    proc = subprocess.run(command, cwd=str(tmp_path), env=env, capture_output=True, text=True, check=False, timeout=240)
    return results_by_host(proc.stdout), proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("placement")
    before = tree_digest(TREES)
    (normal, errors), (check, unused_errors) = run(tmp_path), run(tmp_path, "--check")
    assert set(normal) == set(check) == set(CASES) - {"unknown"}, errors  # a failed host is reported as an [ERROR]
    return {"normal": normal, "check": check, "errors": errors, "unchanged": tree_digest(TREES) == before}


def test_a_guest_that_landed_apart_from_its_nic_and_memory_differs(runs):
    result = runs["normal"]["moved-apart"]
    assert result["changed"] is False and result["numa_topology_differs"] is True
    assert result["differences"] == ["memory on NUMA node(s) 0, away from the vCPUs on 1",
                                     "NIC eno1 on NUMA node 0, away from the vCPUs on 1"]


def test_a_guest_that_landed_alike_does_not_differ(runs):
    result = runs["normal"]["moved-alike"]
    assert result["numa_topology_differs"] is False and result["differences"] == []


def test_placement_without_compare_to(runs):
    result = runs["normal"]["no-compare"]
    assert result["placement"] == SOURCE and "differences" not in result


def test_an_unknown_instance_fails_naming_the_parameter(runs):
    assert "instance_name: no domain XML at /run/libvirt/qemu/instance-ffffffff.xml below root" in runs["errors"]


@pytest.mark.parametrize("case", sorted(set(CASES) - {"unknown"}))
def test_check_mode_is_supported_and_returns_the_same(runs, case):
    strip = ("invocation",)
    normal = {key: value for key, value in runs["normal"][case].items() if key not in strip}
    check = {key: value for key, value in runs["check"][case].items() if key not in strip}
    assert "skipped" not in check and normal == check


def test_the_sample_trees_are_unchanged(runs):
    assert runs["unchanged"]
