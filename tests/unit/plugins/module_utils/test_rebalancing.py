import pytest

from ansible_collections.vmops.migration.plugins.module_utils import planner
from tests.unit.clusters import host, instance, snapshot_dict
from tests.unit.plan_checks import assert_valid_plan


def _cluster():
    """Three 32-CPU hosts: one at 75 % CPU, one at 50 %, one empty."""
    guests = ([instance("a%d" % i, "h0", vcpus=4, memory_mib=8192) for i in range(6)]
              + [instance("b%d" % i, "h1", vcpus=4, memory_mib=8192) for i in range(4)])
    return snapshot_dict([host("h0"), host("h1"), host("h2")], guests)


@pytest.mark.parametrize("threshold, moves", [(0.7, 1), (0.6, 2), (0.55, 2), (0.5, 2)])
def test_threshold_meets_the_limit_with_the_fewest_moves(threshold, moves):
    data = _cluster()
    plan = planner.rebalance(data, {"max_cpu_util": threshold})
    assert_valid_plan(data, plan)
    after = plan["metrics"]["hosts"]
    assert all(values["after"]["cpu"] <= threshold + 1e-9 for values in after.values())
    assert len(plan["moves"]) == moves and plan["feasible"]


def test_threshold_below_average_load_is_reported_unresolved():
    plan = planner.rebalance(_cluster(), {"max_cpu_util": 0.4})  # 40 of 96 CPUs demanded: 0.417 average
    assert not plan["feasible"] and plan["metrics"]["unresolved_hosts"]


def test_threshold_respects_the_move_budget_and_says_what_is_left():
    plan = planner.rebalance(_cluster(), {"max_cpu_util": 0.4, "max_moves": 1})
    assert len(plan["moves"]) == 1
    assert not plan["feasible"] and plan["metrics"]["unresolved_hosts"]


def test_threshold_unreachable_reports_hosts_not_violations():
    data = snapshot_dict([host("h0"), host("h1")], [instance("x%d-%s" % (i, h), h, vcpus=8) for i in range(3) for h in ("h0", "h1")])
    plan = planner.rebalance(data, {"max_cpu_util": 0.5})
    assert_valid_plan(data, plan)
    assert sorted(plan["metrics"]["unresolved_hosts"]) == ["h0", "h1"]


def test_spread_lowers_the_peak():
    data = _cluster()
    plan = planner.rebalance(data, {"objective": "spread"})
    assert_valid_plan(data, plan)
    assert plan["metrics"]["after"]["peak"] < plan["metrics"]["before"]["peak"]
    assert plan["metrics"]["after"]["spread"] < plan["metrics"]["before"]["spread"]


def test_consolidate_empties_the_least_loaded_host():
    data = snapshot_dict([host("h0"), host("h1"), host("h2")],
                         [instance("a", "h0", vcpus=8), instance("b", "h1", vcpus=8), instance("c", "h1", vcpus=8),
                          instance("d", "h2", vcpus=2)])
    plan = planner.rebalance(data, {"objective": "consolidate", "max_cpu_util": 0.8})
    assert_valid_plan(data, plan)
    emptied = [name for name, values in plan["metrics"]["hosts"].items() if values["after"]["cpu"] == 0]
    assert "h2" in emptied and len(emptied) >= 1


def test_balanced_cluster_needs_no_moves():
    data = snapshot_dict([host("h0"), host("h1")], [instance("a", "h0"), instance("b", "h1")])
    assert planner.rebalance(data, {"max_cpu_util": 0.5})["moves"] == []


def test_threshold_makes_room_with_a_chain_of_two_moves():
    """"big" fits under 0.6 nowhere as things stand; moving "b" off the 64-CPU host makes room."""
    hosts = [host("h0"), host("h1", vcpus=64), host("h2")]
    guests = [instance("big", "h0", vcpus=20), instance("a", "h1", vcpus=16), instance("b", "h1", vcpus=4)]
    data = snapshot_dict(hosts, guests)
    plan = planner.rebalance(data, {"max_cpu_util": 0.6})
    assert_valid_plan(data, plan)
    assert plan["feasible"] and not plan["metrics"]["unresolved_hosts"]
    assert [(m["instance"], m["target"]) for m in plan["moves"]] == [("b", "h2"), ("big", "h1")]


def test_threshold_does_not_spend_partial_moves_before_a_chain_that_fixes_the_host():
    """The small guest alone cannot fix h0: only the chain for "big" is planned."""
    hosts = [host("h0"), host("h1", vcpus=64), host("h2")]
    guests = [instance("big", "h0", vcpus=18), instance("small", "h0", vcpus=1, cpu_util=0.5),
              instance("a", "h1", vcpus=16), instance("b", "h1", vcpus=4)]
    data = snapshot_dict(hosts, guests)
    plan = planner.rebalance(data, {"max_cpu_util": 0.55})
    assert_valid_plan(data, plan)
    assert plan["feasible"] and len(plan["moves"]) == 2
    assert "small" not in {m["instance"] for m in plan["moves"]}
