"""Host facts in the roles: inventory hosts for hypervisors, merging answers, the unchecked warning."""
import pytest

from ansible_collections.vmops.migration.plugins.module_utils import host_facts_merge, hostnames

SNAPSHOT = {"version": 1, "hosts": [{"name": "overcloud-novacompute-0.localdomain"}, {"name": "overcloud-novacompute-1.localdomain"},
                                    {"name": "compute-1"}, {"name": "compute-10"}]}
INVENTORY = ["undercloud", "overcloud-controller-0", "overcloud-novacompute-0", "overcloud-novacompute-1", "compute-1"]


@pytest.mark.parametrize("names, expected", [
    (["compute-1"], {"compute-1": "compute-1"}),
    (["compute-10.example.org"], {"compute-10.example.org": "compute-10"}),
    (["compute"], {}),
    (["overcloud-novacompute-0"], {"overcloud-novacompute-0": "overcloud-novacompute-0.localdomain"}),
])
def test_matches_uses_the_exact_or_unique_short_name(names, expected):
    assert hostnames.matches(names, [host["name"] for host in SNAPSHOT["hosts"]]) == expected


@pytest.mark.parametrize("exclude, expected", [
    ([], {"overcloud-novacompute-0": "overcloud-novacompute-0.localdomain",
          "overcloud-novacompute-1": "overcloud-novacompute-1.localdomain", "compute-1": "compute-1"}),
    (["overcloud-novacompute-1"], {"overcloud-novacompute-0": "overcloud-novacompute-0.localdomain",
                                   "compute-1": "compute-1"}),
])
def test_inventory_hosts_for_the_hypervisors(exclude, expected):
    assert host_facts_merge.inventory_hosts_for(SNAPSHOT, INVENTORY, exclude) == expected


COMPUTES = {"overcloud-novacompute-0": "overcloud-novacompute-0.localdomain",
            "overcloud-novacompute-1": "overcloud-novacompute-1.localdomain"}
ANSWER = {"item": "overcloud-novacompute-0", "changed": False,
          "host_fragment": {"host_facts_gathered": True, "cpu_shared_set": "0-1", "max_concurrent_live_migrations": 2}}
CONTROLLER = {"item": "overcloud-controller-0", "settings_fragment": {"scheduler_filters": ["NUMATopologyFilter"]}}


def test_merge_keeps_the_answers_and_says_why_the_others_are_missing():
    unreachable = {"item": "overcloud-novacompute-1", "unreachable": True, "msg": "ssh: connect refused"}
    merged, missing = host_facts_merge.merge_gathered(SNAPSHOT, COMPUTES, [ANSWER, unreachable], [CONTROLLER])
    host = merged["hosts"][0]
    assert host["host_facts_gathered"] and host["cpu_shared_set"] == "0-1" and host["max_concurrent_live_migrations"] == 2
    assert merged["settings"]["scheduler_filters"] == ["NUMATopologyFilter"]
    assert missing == {"overcloud-novacompute-1.localdomain": "unreachable", "compute-1": "not in the inventory",
                       "compute-10": "not in the inventory"}
    assert "host_facts_gathered" not in SNAPSHOT["hosts"][0], "the input snapshot is left as it was"


@pytest.mark.parametrize("result, why", [
    ({"item": "overcloud-novacompute-1", "failed": True, "msg": "python not found\n"}, "failed: python not found"),
    ({"item": "overcloud-novacompute-1", "skipped": True}, "gathering off"),
])
def test_failed_or_skipped_hosts(result, why):
    unused_merged, missing = host_facts_merge.merge_gathered(SNAPSHOT, COMPUTES, [ANSWER, result])
    assert missing["overcloud-novacompute-1.localdomain"] == why


def test_warning_names_the_hosts_and_every_unchecked_constraint():
    warning = host_facts_merge.unchecked_warning({"compute-1": "unreachable"}, [CONTROLLER])
    assert warning.startswith("Host facts not gathered from compute-1 (unreachable): ")
    assert all(code in warning for code in host_facts_merge.UNCHECKED_CODES) and "HOST_FACTS_MISSING" in warning
    assert "controllers" not in warning


@pytest.mark.parametrize("controllers, expected", [
    ([CONTROLLER], None),
    ([], "Host facts not gathered from the controllers (scheduler filters)"),
    ([dict(CONTROLLER, unreachable=True)], "Host facts not gathered from the controllers (scheduler filters)"),
])
def test_warning_when_only_the_controllers_are_missing(controllers, expected):
    warning = host_facts_merge.unchecked_warning({}, controllers)
    assert warning == expected or warning.startswith(expected)
