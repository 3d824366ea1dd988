"""nova_host_config_facts run for real: `ansible localhost -m ...` against the sample host trees.

One ad-hoc run covers all trees (an inventory of local hosts, one per tree) so the Ansible
start-up cost is paid once per mode, not once per case.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
TREES = os.path.join(REPO, "tests", "data", "host_trees")
SAMPLE_INVENTORY = os.path.join(REPO, "tests", "data", "inventory", "tripleo-inventory.yml")
MODULE = "vmops.migration.nova_host_config_facts"
RESULT_HEADER = re.compile(r"^(?P<host>\S+) \| [A-Z]+ => ", re.MULTILINE)

ANSIBLE = shutil.which("ansible", path=os.path.dirname(sys.executable)) or shutil.which("ansible")
pytestmark = pytest.mark.skipif(ANSIBLE is None, reason="ansible CLI not installed")


def tree_digest(root):
    """sha256 over every path, file mode and file content below root."""
    digest = hashlib.sha256()
    for directory, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(dirs + files):
            path = os.path.join(directory, name)
            stat = os.lstat(path)
            digest.update(os.path.relpath(path, root).encode() + b"\0" + oct(stat.st_mode).encode() + b"\0")
            if os.path.isfile(path):
                with open(path, "rb") as handle:
                    digest.update(handle.read())
    return digest.hexdigest()


def local_inventory(tmp_path):
    """The sample TripleO hosts, each run locally with its sample tree as `root`."""
    with open(SAMPLE_INVENTORY, encoding="utf-8") as handle:
        sample = yaml.safe_load(handle)
    hosts = {}
    for group in ("Controller", "Compute"):
        for name, hostvars in sample[group]["hosts"].items():
            hosts[name] = {
                "ansible_connection": "local",
                "ansible_python_interpreter": sys.executable,
                "tree_root": os.path.join(TREES, hostvars["vmops_sample_tree"]),
            }
    path = tmp_path / "inventory.json"
    path.write_text(json.dumps({"all": {"hosts": hosts}}))
    return str(path)


def run_ansible(args, cwd):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": os.path.join(REPO, ".cache", "collections"),
        "ANSIBLE_STDOUT_CALLBACK": "ansible.builtin.minimal",
        "ANSIBLE_HOST_KEY_CHECKING": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCAL_TEMP": os.path.join(cwd, "tmp"),
    })
    proc = subprocess.run([ANSIBLE] + args, cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return results_by_host(proc.stdout)


def results_by_host(stdout):
    """Parse the minimal callback's 'HOST | STATUS => {json}' blocks (the only stable builtin)."""
    decoder = json.JSONDecoder()
    results = {}
    for match in RESULT_HEADER.finditer(stdout):
        results[match.group("host")], unused_end = decoder.raw_decode(stdout, match.end())
    return results


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Both modes over all sample hosts, with tree digests taken before and after."""
    tmp_path = tmp_path_factory.mktemp("ansible")
    inventory = local_inventory(tmp_path)
    before = tree_digest(TREES)
    base = ["all", "-i", inventory, "-m", MODULE, "-a", "root={{ tree_root }} gather_ovs=true"]
    normal = run_ansible(base, str(tmp_path))
    check = run_ansible(base + ["--check"], str(tmp_path))
    assert set(normal) == set(check) == {"overcloud-controller-0", "overcloud-novacompute-0",
                                         "overcloud-novacompute-1", "overcloud-novacompute-2"}
    return {"normal": normal, "check": check, "before": before, "after": tree_digest(TREES)}


@pytest.mark.parametrize("mode", ["normal", "check"])
def test_never_changed_and_check_mode_supported(runs, mode):
    for host, result in runs[mode].items():
        assert result["changed"] is False, host
        assert not result.get("failed"), result
        assert "skipped" not in result, "check mode must be supported"


def test_check_mode_returns_the_same_facts(runs):
    strip = ("invocation", "_ansible_no_log", "_ansible_verbose_always")
    for host, result in runs["normal"].items():
        same = {key: value for key, value in result.items() if key not in strip}
        other = {key: value for key, value in runs["check"][host].items() if key not in strip}
        assert same == other, host


def test_sample_trees_unchanged(runs):
    assert runs["before"] == runs["after"]


@pytest.mark.parametrize("host, field, expected", [
    ("overcloud-novacompute-0", "cpu_shared_set", "0-1,24-25"),
    ("overcloud-novacompute-1", "cpu_shared_set", "0-3,24-27,^2"),
    ("overcloud-novacompute-1", "numa_live_migration", False),
    ("overcloud-novacompute-0", "nic_numa_nodes", {"eno1": 0, "ens1f0": 1, "ens1f1": 1}),
    ("overcloud-novacompute-0", "dpdk", False),
    ("overcloud-novacompute-1", "dpdk", True),
    ("overcloud-novacompute-2", "numa_live_migration", None),
    ("overcloud-novacompute-2", "live_migration", None),
])
def test_host_fragment_fields(runs, host, field, expected):
    assert runs["normal"][host]["host_fragment"][field] == expected


def test_roles_and_fragments(runs):
    controller = runs["normal"]["overcloud-controller-0"]
    assert controller["role"] == "controller"
    assert controller["host_fragment"] == {}
    assert "NUMATopologyFilter" in controller["settings_fragment"]["scheduler_filters"]
    compute = runs["normal"]["overcloud-novacompute-2"]
    assert compute["role"] == "compute" and compute["nova_conf"] is None
    assert compute["settings_fragment"] == {}


def test_ansible_doc_renders():
    doc = shutil.which("ansible-doc", path=os.path.dirname(ANSIBLE))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, ".cache", "collections"))
    proc = subprocess.run([doc, "--json", MODULE], env=env, capture_output=True, text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)[MODULE]
    assert set(info["doc"]["options"]) == {"root", "nova_conf_paths", "role", "gather_ovs"}
    assert "host_fragment" in info["return"] and info["examples"].strip()
    assert "Traceback" not in proc.stderr
