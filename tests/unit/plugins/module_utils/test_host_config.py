"""host_config: nova.conf, sysfs and OVS parsing over the sample host trees, and the merge."""
import copy
import json
import os
import shutil

import jsonschema
import pytest

from ansible_collections.vmops.migration.plugins.module_utils import host_config
from ansible_collections.vmops.migration.plugins.module_utils.host_config import (
    gather_host_config,
    merge_host_facts,
    parse_cpu_set,
)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
TREES = os.path.join(REPO, "tests", "data", "host_trees")
SCHEMA_PATH = os.path.join(REPO, "contracts", "snapshot.schema.json")


def tree(name):
    return os.path.join(TREES, name)


def host_facts(name, **kwargs):
    return gather_host_config(root=tree(name), **kwargs)["host_fragment"]


@pytest.fixture(scope="module")
def schema():
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        return json.load(handle)


# --- CPU set strings ------------------------------------------------------------------------

@pytest.mark.parametrize("spec, expected", [
    ("0", [0]),
    ("0-3", [0, 1, 2, 3]),
    ("0-3,8-11,^2", [0, 1, 3, 8, 9, 10, 11]),
    ("^2,0-3", [0, 1, 3]),                      # exclusions apply wherever they are written
    ("0-7,^2-5", [0, 1, 6, 7]),                 # an excluded range
    (" 4 , 1-2 ,, ", [1, 2, 4]),                # blanks and empty elements
    ("8-11,0-3,2", [0, 1, 2, 3, 8, 9, 10, 11]),  # overlaps, out of order
    ("^ 3, 1-4", [1, 2, 4]),
    ("", []),
    ("0-3\n", [0, 1, 2, 3]),                    # sysfs cpulist ends with a newline
])
def test_parse_cpu_set(spec, expected):
    assert parse_cpu_set(spec) == expected


@pytest.mark.parametrize("spec", [None, "a", "3-1", "1-", "-1", "0-3,x", "^", "1--3", "1-2-3"])
def test_parse_cpu_set_rejects_malformed(spec):
    with pytest.raises(ValueError):
        parse_cpu_set(spec)
    assert host_config.cpu_set_or_none(spec) is None


@pytest.mark.parametrize("text, expected", [
    ("True", True), ("yes", True), ("1", True), ("ON", True),
    ("False", False), ("no", False), ("0", False), (" off ", False),
    ("maybe", None), ("", None), (None, None),
])
def test_parse_bool_follows_oslo_config(text, expected):
    assert host_config.parse_bool(text) is expected


@pytest.mark.parametrize("text, expected", [
    ("A,B", ["A", "B"]), ("A, B,", ["A", "B"]), ("A,\nB", ["A", "B"]), ("", []), (None, None),
])
def test_parse_list(text, expected):
    assert host_config.parse_list(text) == expected


# --- the sample trees -----------------------------------------------------------------------

@pytest.mark.parametrize("name, field, expected", [
    ("compute-0", "cpu_shared_set", "0-1,24-25"),
    ("compute-1", "cpu_shared_set", "0-3,24-27,^2"),
    ("compute-0", "cpu_dedicated_set", "2-11,26-35"),
    ("compute-0", "numa_live_migration", True),
    ("compute-1", "numa_live_migration", False),
    ("compute-0", "max_concurrent_live_migrations", 2),
    ("compute-1", "max_concurrent_live_migrations", 3),  # duplicate key: the last one wins
    ("compute-0", "cpu_mode", "custom"),
    ("compute-0", "cpu_models", ["Cascadelake-Server-noTSX", "Skylake-Server-IBRS"]),
    ("compute-1", "cpu_models", ["Haswell-noTSX"]),      # older single cpu_model
    ("compute-0", "dpdk", False),                        # ML2/OVS kernel datapath
    ("compute-1", "dpdk", True),                         # netdev datapath
    ("compute-0", "nic_numa_nodes", {"eno1": 0, "ens1f0": 1, "ens1f1": 1}),
    ("compute-1", "nic_numa_nodes", {"eno1": 0, "ens3f0": None}),
    ("compute-0", "host_facts_gathered", True),
])
def test_compute_tree_fields(name, field, expected):
    assert host_facts(name)[field] == expected


def test_live_migration_tunables():
    assert host_facts("compute-0")["live_migration"] == {
        "permit_post_copy": True,
        "permit_auto_converge": False,
        "completion_timeout": 800,
        "timeout_action": "force_complete",
        "bandwidth": 0,
    }
    # unset and malformed options are None, not nova's defaults and not errors
    assert host_facts("compute-1")["live_migration"] == {
        "permit_post_copy": False,
        "permit_auto_converge": True,
        "completion_timeout": None,
        "timeout_action": "abort",
        "bandwidth": None,
    }


def test_shared_sets_differ_as_cpu_sets():
    assert parse_cpu_set(host_facts("compute-0")["cpu_shared_set"]) == [0, 1, 24, 25]
    assert parse_cpu_set(host_facts("compute-1")["cpu_shared_set"]) == [0, 1, 3, 24, 25, 26, 27]


def test_numa_nodes_from_sysfs():
    nodes = host_facts("compute-0")["numa_nodes"]
    assert [node["id"] for node in nodes] == [0, 1]
    assert nodes[1]["cpu_list"] == list(range(12, 24)) + list(range(36, 48))
    assert nodes[1]["cpus"] == 24
    assert nodes[0]["memory_mib"] == 64000
    assert nodes[0]["hugepages_free"] == {"2048": 0, "1048576": 12}
    assert nodes[0]["hugepages_total"] == {"2048": 0, "1048576": 16}


def test_missing_nova_conf_gives_nulls():
    result = gather_host_config(root=tree("compute-2"))
    fragment = result["host_fragment"]
    assert result["nova_conf"] is None
    assert result["role"] == "compute"
    for field in ("cpu_shared_set", "cpu_dedicated_set", "numa_live_migration",
                  "max_concurrent_live_migrations", "cpu_mode", "live_migration", "dpdk"):
        assert fragment[field] is None, field
    assert fragment["cpu_models"] == []
    assert fragment["nic_numa_nodes"] == {"eth0": None}
    assert fragment["numa_nodes"][0]["hugepages_free"] == {}


def test_empty_root_gives_nulls_not_errors(tmp_path):
    fragment = gather_host_config(root=str(tmp_path))["host_fragment"]
    assert fragment["numa_nodes"] is None
    assert fragment["nic_numa_nodes"] == {}
    assert fragment["dpdk"] is None


def test_controller_tree_gives_scheduler_filters():
    result = gather_host_config(root=tree("controller-0"))
    assert result["role"] == "controller"
    assert result["host_fragment"] == {}
    filters = result["settings_fragment"]["scheduler_filters"]
    assert "NUMATopologyFilter" in filters and "AggregateInstanceExtraSpecsFilter" in filters
    assert filters[0] == "AvailabilityZoneFilter" and len(filters) == 9  # continuation line joined


@pytest.mark.parametrize("role, expected", [("compute", "compute"), ("controller", "controller")])
def test_explicit_role_wins_over_auto(role, expected):
    assert gather_host_config(root=tree("compute-0"), role=role)["role"] == expected


def test_fallback_and_overridden_paths(tmp_path):
    conf = tmp_path / "etc" / "nova" / "nova.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("[DEFAULT]\nmax_concurrent_live_migrations = 0\n[libvirt]\ncpu_mode=host-passthrough\n")
    result = gather_host_config(root=str(tmp_path))
    assert result["nova_conf"] == "/etc/nova/nova.conf"
    assert result["host_fragment"]["max_concurrent_live_migrations"] == 0
    other = gather_host_config(root=str(tmp_path), nova_conf_paths=["/nowhere/nova.conf"])
    assert other["nova_conf"] is None


def test_default_section_does_not_leak(tmp_path):
    conf = tmp_path / "etc" / "nova" / "nova.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("[DEFAULT]\ncpu_mode=custom\ncpu_shared_set=0-3\n[libvirt]\n[compute]\n")
    fragment = gather_host_config(root=str(tmp_path))["host_fragment"]
    assert fragment["cpu_mode"] is None
    assert fragment["cpu_shared_set"] is None


def test_unparsable_nova_conf_gives_nulls(tmp_path):
    conf = tmp_path / "etc" / "nova" / "nova.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text("this is not an ini file\n")
    fragment = gather_host_config(root=str(tmp_path))["host_fragment"]
    assert fragment["cpu_shared_set"] is None
    assert fragment["live_migration"] is None


# --- OVS ------------------------------------------------------------------------------------

@pytest.mark.parametrize("answer, expected", [
    ('"true"', True), ('"try"', True), ("true\n", True), ('"false"', False), (None, None),
])
def test_dpdk_from_ovs_answer(answer, expected):
    assert host_config.dpdk_from_ovs(answer) is expected


def test_ovs_answer_wins_over_agent_config():
    assert host_facts("compute-0", dpdk_init='"true"')["dpdk"] is True
    assert host_facts("compute-1", dpdk_init='"false"')["dpdk"] is False


class FakeModule:
    """Just what query_dpdk_init and host_config_facts use of AnsibleModule."""

    def __init__(self, params=None, binary="/usr/bin/ovs-vsctl", answer=(0, '"true"\n', "")):
        self.params = params or {}
        self.binary = binary
        self.answer = answer
        self.commands = []

    def get_bin_path(self, name):
        return self.binary

    def run_command(self, args):
        self.commands.append(args)
        return self.answer


@pytest.mark.parametrize("binary, answer, expected", [
    ("/usr/bin/ovs-vsctl", (0, '"try"\n', ""), '"try"'),
    ("/usr/bin/ovs-vsctl", (1, "", 'ovs-vsctl: no key "dpdk-init" in Open_vSwitch record "." column other_config'),
     '"false"'),
    ("/usr/bin/ovs-vsctl", (1, "", "database connection failed"), None),
    (None, None, None),
])
def test_query_dpdk_init(binary, answer, expected):
    assert host_config.query_dpdk_init(FakeModule(binary=binary, answer=answer)) == expected


def test_ovs_vsctl_not_run_for_another_root():
    params = {"root": tree("compute-0"), "nova_conf_paths": None, "role": "auto", "gather_ovs": True}
    module = FakeModule(params=params)
    assert host_config.host_config_facts(module)["host_fragment"]["dpdk"] is False
    assert module.commands == []


def test_ovs_vsctl_run_on_the_real_root():
    params = {"root": "/", "nova_conf_paths": ["/nonexistent/nova.conf"], "role": "compute", "gather_ovs": True}
    module = FakeModule(params=params)
    assert host_config.host_config_facts(module)["host_fragment"]["dpdk"] is True
    assert module.commands == [["/usr/bin/ovs-vsctl", "get", "Open_vSwitch", ".", "other_config:dpdk-init"]]


# --- merging into a snapshot ----------------------------------------------------------------

def snapshot():
    return {
        "version": 1,
        "platform": "nova",
        "settings": {"max_concurrent_live_migrations": 1},
        "hosts": [
            {"name": "overcloud-novacompute-0.localdomain", "vcpus": 48, "memory_mib": 128000, "dpdk": False,
             "numa_nodes": [{"id": 0, "cpus": 24, "memory_mib": 64000, "pinned_cpus_free": 10}]},
            {"name": "overcloud-novacompute-1.localdomain", "vcpus": 48, "memory_mib": 192000,
             "cpu_shared_set": "0-3"},
            {"name": "overcloud-novacompute-2.localdomain", "vcpus": 8, "memory_mib": 32000},
        ],
        "instances": [],
    }


def merged_cluster():
    result = snapshot()
    for inventory_name, tree_name in [
        ("overcloud-novacompute-0", "compute-0"),
        ("overcloud-novacompute-1", "compute-1"),
        ("overcloud-novacompute-2", "compute-2"),
    ]:
        result = merge_host_facts(result, inventory_name, host_facts(tree_name))
    settings = gather_host_config(root=tree("controller-0"))["settings_fragment"]
    return merge_host_facts(result, "overcloud-controller-0", {}, settings)


def test_merge_leaves_the_input_untouched():
    original = snapshot()
    before = copy.deepcopy(original)
    fragment = host_facts("compute-0")
    fragment_before = copy.deepcopy(fragment)
    merged = merge_host_facts(original, "overcloud-novacompute-0", fragment)
    assert original == before
    assert fragment == fragment_before
    merged["hosts"][0]["numa_nodes"][0]["cpu_list"].append(99)
    assert fragment == fragment_before


def test_merge_fills_host_and_settings():
    merged = merged_cluster()
    first, second, third = merged["hosts"]
    assert first["host_facts_gathered"] and first["numa_live_migration"] is True
    assert second["cpu_shared_set"] == "0-3,24-27,^2" and second["dpdk"] is True
    assert merged["settings"]["scheduler_filters"][-1] == "PciPassthroughFilter"
    assert merged["settings"]["max_concurrent_live_migrations"] == 1


def test_merge_numa_nodes_by_id_keeps_api_fields():
    node0, node1 = merged_cluster()["hosts"][0]["numa_nodes"]
    assert node0["pinned_cpus_free"] == 10 and node0["hugepages_free"]["1048576"] == 12
    assert node1["id"] == 1 and "pinned_cpus_free" not in node1


def test_merge_skips_nulls():
    third = merged_cluster()["hosts"][2]
    assert third["host_facts_gathered"] is True
    assert "numa_live_migration" not in third and "dpdk" not in third
    assert third["cpu_models"] == []


def test_merged_snapshot_matches_the_contract(schema):
    jsonschema.validate(merged_cluster(), schema)


def test_merge_unknown_host_raises():
    with pytest.raises(KeyError):
        merge_host_facts(snapshot(), "overcloud-novacompute-9", host_facts("compute-0"))


def test_merge_exact_name_and_settings_only():
    merged = merge_host_facts(snapshot(), "overcloud-novacompute-2.localdomain", {"cpu_mode": "host-model"})
    assert merged["hosts"][2]["cpu_mode"] == "host-model"
    no_settings = snapshot()
    del no_settings["settings"]
    assert merge_host_facts(no_settings, "x", {}, {"scheduler_filters": ["ComputeFilter"]})["settings"] == {
        "scheduler_filters": ["ComputeFilter"]
    }


def test_sample_trees_are_not_written(tmp_path):
    """Gathering reads only: a copy of a tree is identical afterwards (listing and content)."""
    copy_root = tmp_path / "compute-0"
    shutil.copytree(tree("compute-0"), copy_root)
    before = sorted((str(p.relative_to(copy_root)), p.read_bytes() if p.is_file() else b"")
                    for p in copy_root.rglob("*"))
    gather_host_config(root=str(copy_root))
    after = sorted((str(p.relative_to(copy_root)), p.read_bytes() if p.is_file() else b"")
                   for p in copy_root.rglob("*"))
    assert before == after
