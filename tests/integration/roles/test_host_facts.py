"""The roles gather host facts (issue 10): drain_compute.yml against a Nova twin, with an inventory
whose compute hosts are read through a local connection from the sample trees in tests/data.

One twin (two computes, three floating guests on compute-0) and four playbook runs: three dry
runs that change nothing, then a real drain with a huge-page guest for the post-move NUMA check.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from tests.fixtures.nova_twin import started_twin
from twin.nova import launcher

ROOT = launcher.ROOT
TREES = os.path.join(ROOT, "tests", "data", "host_trees")
UNCHECKED = ("SHARED_CPU_SET_MISMATCH", "NUMA_LIVE_MIGRATION_DISABLED", "SCHEDULER_FILTERS_MISSING",
             "DPDK_TARGET_NOT_EQUIVALENT", "NUMA_TOPOLOGY_DIFFERS")


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    fleet = {"hosts": [{"name": "compute-0"}, {"name": "compute-1"}],
             "servers": [{"name": "floating-%d" % i, "flavor": "t1.small", "host": "compute-0"} for i in range(3)]}
    fleet_file = tmp_path_factory.mktemp("fleet") / "fleet.json"
    fleet_file.write_text(json.dumps(fleet))
    with started_twin(["--config", str(fleet_file), "--time-factor", "50"], prefix="vmops-host-facts-twin-") as started:
        yield started


@pytest.fixture
def workdir():
    folder = tempfile.mkdtemp(prefix="vmops-host-facts-")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def local(**extra):
    return dict({"ansible_connection": "local", "ansible_python_interpreter": sys.executable}, **extra)


UNREACHABLE = {"ansible_connection": "ssh", "ansible_host": "127.0.0.1", "ansible_port": 1,
               "ansible_ssh_common_args": "-o ConnectTimeout=3 -o BatchMode=yes"}


def drain_plan(twin, workdir, computes, roots, *extra):
    """Dry-run drain of compute-0 with this inventory; return (exit code, output, the saved plan)."""
    inventory = {"Compute": {"hosts": computes}, "Controller": {"hosts": {"controller-0": local()}}}
    inventory_file = os.path.join(workdir, "inventory.json")
    with open(inventory_file, "w", encoding="utf-8") as handle:
        json.dump(inventory, handle)
    roots = dict(roots, **{"controller-0": os.path.join(TREES, "controller-0")})
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=twin.clouds_yaml, VMOPS_REPORT_DIR=workdir,
               ANSIBLE_CONFIG=os.path.join(ROOT, "playbooks", "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    command = ["ansible-playbook", "-i", inventory_file, os.path.join(ROOT, "playbooks", "drain_compute.yml"),
               "-e", "vmops_cloud=%s" % twin.cloud, "-e", json.dumps({"drain_hosts": ["compute-0"]}),
               "-e", json.dumps({"drain_node_host_facts_root": roots, "drain_node_host_facts_become": False,
                                 "drain_node_dry_run": True, "drain_node_allow_blocked": True,
                                 "drain_node_run_id": "hf"})]
    for item in extra:
        command += ["-e", item]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600, check=False)
    output = result.stdout + result.stderr
    plan_file = os.path.join(workdir, "drain-hf-plan.json")
    plan = None
    if os.path.exists(plan_file):
        with open(plan_file, encoding="utf-8") as handle:
            plan = json.load(handle)
    return result.returncode, output, plan


def tree(name):
    return os.path.join(TREES, name)


def codes(entry):
    return {reason["code"] for reason in entry.get("reasons", entry.get("warnings", []))}


def warnings_of(output):
    """The [WARNING] texts, joined across the lines Ansible wraps them on."""
    return " ".join(output.split())


def test_shared_cpu_sets_that_differ_block_the_floating_instances(twin, workdir):
    code, output, plan = drain_plan(twin, workdir, {"compute-0": local(), "compute-1": local()},
                                    {"compute-0": tree("compute-0"), "compute-1": tree("compute-1")})
    assert code == 0, output
    assert plan["moves"] == []
    assert sorted(entry["name"] for entry in plan["blocked"]) == ["floating-0", "floating-1", "floating-2"]
    for entry in plan["blocked"]:
        assert "SHARED_CPU_SET_MISMATCH" in codes(entry) and "HOST_FACTS_MISSING" not in codes(entry)
        message = next(r["message"] for r in entry["reasons"] if r["code"] == "SHARED_CPU_SET_MISMATCH")
        assert "0-1,24-25" in message and "0-3,24-27,^2" in message
    assert "Host facts not gathered" not in output


def test_without_host_facts_the_plan_says_which_checks_were_skipped(twin, workdir):
    code, output, plan = drain_plan(twin, workdir, {"compute-0": local(), "compute-1": local()},
                                    {"compute-0": tree("compute-0"), "compute-1": tree("compute-1")},
                                    "drain_node_gather_host_facts=false")
    assert code == 0, output
    assert plan["blocked"] == [] and len(plan["moves"]) == 3
    for move in plan["moves"]:
        missing = next(w for w in move["warnings"] if w["code"] == "HOST_FACTS_MISSING")
        assert missing["severity"] == "info"
        assert "SHARED_CPU_SET_MISMATCH unchecked: host facts not gathered on compute-0, compute-1" in missing["message"]
    text = warnings_of(output)
    assert "[WARNING]: Host facts not gathered from compute-0 (gathering off); compute-1 (gathering off)" in text
    assert all(code_ in text for code_ in UNCHECKED)
    assert "checks skipped (HOST_FACTS_MISSING)" in text
    assert "SHARED_CPU_SET_MISMATCH unchecked: host facts not gathered on compute-0, compute-1" in text
    with open(os.path.join(workdir, "drain-hf-plan.md"), encoding="utf-8") as handle:
        assert "## Checks skipped (HOST_FACTS_MISSING)" in handle.read()


def test_an_unreachable_host_is_a_warning_and_the_gathered_source_sets_the_limits(twin, workdir):
    """compute-1 unreachable; compute-0's nova.conf: max_concurrent_live_migrations=2, 800 s per GiB, force_complete."""
    code, output, plan = drain_plan(twin, workdir, {"compute-0": local(), "compute-1": UNREACHABLE},
                                    {"compute-0": tree("compute-0")})
    assert code == 0, output
    assert "compute-1 (unreachable)" in warnings_of(output)
    assert len(plan["moves"]) == 3
    for move in plan["moves"]:
        missing = next(w for w in move["warnings"] if w["code"] == "HOST_FACTS_MISSING")
        assert missing["message"].endswith("SHARED_CPU_SET_MISMATCH unchecked: host facts not gathered on compute-1")
        assert move["timeout_seconds"] == pytest.approx(800 * (2 + 20))  # t1.small: 2 GiB RAM, 20 GiB local disk
        assert move["timeout_action"] == "force_complete"
    assert plan["limits"]["per_source_hosts"] == {"compute-0": 2}
    assert [move["wave"] for move in plan["moves"]].count(0) == 2


def host_tree_copy(workdir, name, instance_name, domain_sample):
    """compute-0's sample tree copied, with one domain XML standing for the guest's libvirt status file."""
    root = os.path.join(workdir, "trees", name)
    shutil.copytree(tree("compute-0"), root)
    with open(domain_sample, encoding="utf-8") as handle:
        domain = handle.read().replace("instance-0000000b", instance_name)
    with open(os.path.join(root, "run", "libvirt", "qemu", instance_name + ".xml"), "w", encoding="utf-8") as handle:
        handle.write(domain)
    return root


def test_a_numa_guest_that_landed_apart_is_reported_after_the_drain(twin, workdir):
    """Last: it really drains compute-0. The huge-page guest's target tree puts its vCPUs on NUMA node 1,
    away from its memory and NIC on node 0, where the source had all three together."""
    huge = twin.boot("huge-0", flavor="t1.hugepages", host="compute-0")
    instance_name = huge.instance_name
    sample = os.path.join(TREES, "%s", "run", "libvirt", "qemu", "instance-0000000b.xml")
    roots = {"compute-0": host_tree_copy(workdir, "source", instance_name, sample % "compute-0"),
             "compute-1": host_tree_copy(workdir, "target", instance_name, sample % "compute-1")}
    code, output, unused_plan = drain_plan(twin, workdir, {"compute-0": local(), "compute-1": local()}, roots,
                                           "drain_node_dry_run=false")
    assert code == 0, output
    assert twin.server(huge.id).compute_host == "compute-1"
    with open(os.path.join(workdir, "drain-hf-report.json"), encoding="utf-8") as handle:
        report = json.load(handle)
    assert report["after_the_moves"] == [{
        "instance": huge.id, "code": "NUMA_TOPOLOGY_DIFFERS", "severity": "warn", "target": "compute-1",
        "message": "huge-0 on compute-1 after the move: memory on NUMA node(s) 0, away from the vCPUs on 1; "
                   "NIC eno1 on NUMA node 0, away from the vCPUs on 1"}]
    moves = {move["name"]: move for move in report["moves"]}
    assert moves["huge-0"]["result"] == "completed" and "NUMA_TOPOLOGY_DIFFERS" in moves["huge-0"]["reason_codes"]
    assert all("NUMA_TOPOLOGY_DIFFERS" not in move["reason_codes"] for name, move in moves.items() if name != "huge-0")
