import json
import os

import pytest

from ansible_collections.vmops.migration.plugins.module_utils import planner, scheduling
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import LIVE
from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError
from ansible_collections.vmops.migration.plugins.module_utils.snapshot import parse_snapshot
from ansible_collections.vmops.migration.plugins.module_utils.targeting import Cluster
from tests.unit.clusters import host, instance, snapshot_dict
from tests.unit.plan_checks import ROOT, assert_valid_plan

EXAMPLE = os.path.join(ROOT, "docs", "examples", "snapshot-10x60.json")


@pytest.fixture(scope="module")
def example():
    with open(EXAMPLE) as handle:
        return json.load(handle)


@pytest.mark.parametrize("workflow, hosts, options", [
    ("drain", ["compute-1"], {}),
    ("drain", ["compute-1", "compute-2", "compute-3"], {"per_target": 1}),
    ("evacuate", ["compute-4"], {}),
    ("rebalance", None, {"max_cpu_util": 0.6}),
    ("rebalance", None, {"objective": "spread", "max_moves": 10}),
    ("rebalance", None, {"objective": "consolidate", "max_cpu_util": 0.9}),
])
def test_example_plans_are_valid_and_replay_without_violation(example, workflow, hosts, options):
    plan = planner.plan(example, workflow, hosts, options)
    assert_valid_plan(example, plan)


def test_drain_moves_everything_off_and_never_onto_drained_hosts(example):
    draining = ["compute-1", "compute-2"]
    plan = planner.drain(example, draining)
    on_hosts = {i["id"] for i in example["instances"] if i["host"] in draining}
    moved = {m["instance"] for m in plan["moves"]}
    blocked = {b["instance"] for b in plan["blocked"]}
    assert moved | blocked == on_hosts and not moved & blocked
    assert not {m["target"] for m in plan["moves"]} & set(draining)


def test_drain_cold_migrates_stopped_instances():
    data = snapshot_dict([host("a"), host("b")], [instance("up", "a"), instance("off", "a", status="SHUTOFF")])
    types = {m["instance"]: m["type"] for m in planner.drain(data, ["a"])["moves"]}
    assert types == {"up": "live", "off": "cold"}


def test_drain_can_skip_stopped_instances():
    data = snapshot_dict([host("a"), host("b")], [instance("off", "a", status="SHUTOFF")])
    plan = planner.drain(data, ["a"], {"stopped": "skip"})
    assert plan["moves"] == [] and plan["blocked"][0]["reasons"][0]["code"] == "NOT_RUNNING"
    assert plan["feasible"]  # info-only: nothing that must move was left behind


def test_targets_keep_receiving_hosts_even():
    hosts = [host("src"), host("busy"), host("idle")]
    guests = [instance("big-%d" % i, "busy", vcpus=8, memory_mib=32768) for i in range(2)] + [instance("mover", "src")]
    plan = planner.drain(snapshot_dict(hosts, guests), ["src"])
    assert plan["moves"][0]["target"] == "idle"


def test_spreads_many_guests_instead_of_piling_on_one_host():
    hosts = [host("src")] + [host("t%d" % i) for i in range(4)]
    guests = [instance("vm-%d" % i, "src") for i in range(8)]
    targets = [m["target"] for m in planner.drain(snapshot_dict(hosts, guests), ["src"])["moves"]]
    assert {targets.count(t) for t in set(targets)} == {2}


@pytest.mark.parametrize("bad_host", [host("t", status="disabled"), host("t", state="down"), host("t", forced_down=True)])
def test_never_targets_unavailable_hosts(bad_host):
    plan = planner.drain(snapshot_dict([host("src"), bad_host], [instance("vm", "src")]), ["src"])
    assert plan["moves"] == [] and not plan["feasible"]
    assert {r["code"] for r in plan["blocked"][0]["reasons"]} == {"TARGET_UNAVAILABLE"}


def test_blocked_instance_does_not_stop_the_rest():
    plan = planner.drain(snapshot_dict([host("src"), host("small", memory_mib=8192, vcpus=4)],
                                       [instance("huge", "src", memory_mib=65536), instance("fits", "src")]), ["src"])
    assert [m["instance"] for m in plan["moves"]] == ["fits"]
    assert [b["instance"] for b in plan["blocked"]] == ["huge"]


@pytest.mark.parametrize("hosts, problem", [
    (["compute-10"], 'unknown host "compute-10"'),
    (["compute"], 'unknown host "compute"'),
    ([], "must name at least one host"),
    ("compute-1", "must be a list"),
])
def test_host_names_match_exactly(hosts, problem):
    data = snapshot_dict([host("compute-1"), host("compute-2")], [])
    with pytest.raises(InputError) as raised:
        planner.drain(data, hosts)
    assert raised.value.parameter == "hosts" and problem in raised.value.problem


def test_tripleo_short_name_resolves_to_fqdn():
    data = snapshot_dict([host("overcloud-novacompute-0.localdomain"), host("overcloud-novacompute-1.localdomain")],
                         [instance("vm", "overcloud-novacompute-0.localdomain")])
    plan = planner.drain(data, ["overcloud-novacompute-0"])
    assert plan["moves"][0]["source"] == "overcloud-novacompute-0.localdomain"


@pytest.mark.parametrize("options, problem", [
    ({"per_source": -1}, "per_source must be an integer >= 0"),
    ({"max_cpu_util": 1.5}, "max_cpu_util must be a number in (0, 1]"),
    ({"objective": "pack"}, "objective must be one of"),
    ({"paralel": 2}, "unknown option 'paralel'"),
])
def test_bad_options_name_the_option(options, problem):
    with pytest.raises(InputError) as raised:
        planner.rebalance(snapshot_dict([host("a")], []), options)
    assert problem in str(raised.value)


@pytest.mark.parametrize("gathered, first_wave", [(None, 1), (2, 2), (0, 4)])
def test_per_source_limit_follows_gathered_host_setting(gathered, first_wave):
    hosts = [host("a", max_concurrent_live_migrations=gathered), host("b"), host("c"), host("d")]
    data = snapshot_dict(hosts, [instance("vm-%d" % i, "a", dirty_rate_mibps=0) for i in range(4)],
                         max_concurrent_live_migrations=1)
    plan = planner.drain(data, ["a"])
    assert [m["wave"] for m in plan["moves"]].count(0) == first_wave


@pytest.mark.parametrize("options, expected", [({}, {"a": 3}), ({"per_source": 1}, {})])
def test_plan_limits_name_the_gathered_per_source_limit_unless_the_caller_sets_one(options, expected):
    data = snapshot_dict([host("a", max_concurrent_live_migrations=3), host("b")], [instance("vm", "a")])
    assert planner.drain(data, ["a"], options)["limits"]["per_source_hosts"] == expected


@pytest.mark.parametrize("tunables, local_disk, expected", [
    ({"completion_timeout": 100, "timeout_action": "force_complete"}, False,
     {"timeout_seconds": 400.0, "timeout_action": "force_complete"}),  # 4 GiB of RAM
    ({"completion_timeout": 100, "timeout_action": "abort"}, True,
     {"timeout_seconds": 2400.0, "timeout_action": "abort"}),  # plus 20 GiB of local disk
    ({"completion_timeout": 0, "timeout_action": None}, False, {"timeout_seconds": 0}),  # 0: Nova's "no timeout"
    ({"completion_timeout": None, "timeout_action": "pause"}, False, {}),
    (None, False, {}),
])
def test_live_moves_carry_the_source_hosts_completion_timeout_and_action(tunables, local_disk, expected):
    data = snapshot_dict([host("a", live_migration=tunables), host("b")],
                         [instance("vm", "a", shared_storage=not local_disk)])
    move = planner.drain(data, ["a"])["moves"][0]
    assert {key: move[key] for key in ("timeout_seconds", "timeout_action") if key in move} == expected


def test_evacuate_puts_ha_instances_first():
    data = snapshot_dict([host("dead", state="down", forced_down=True), host("b")],
                         [instance("big", "dead", memory_mib=8192), instance("ha", "dead", ha_enabled=True)])
    plan = planner.evacuate(data, ["dead"])
    assert [m["instance"] for m in plan["moves"]][0] == "ha"
    assert {m["type"] for m in plan["moves"]} == {"evacuate"}


def test_estimates_and_bound():
    data = snapshot_dict([host("a"), host("b")], [instance("vm", "a", memory_mib=4096, dirty_rate_mibps=64)],
                         migration_bandwidth_mibps=1024)
    for h in data["hosts"]:
        h["migration_bandwidth_mibps"] = 1024
    plan = planner.drain(data, ["a"])
    assert plan["moves"][0]["estimated_seconds"] == pytest.approx(4.25, abs=1e-3)
    assert plan["lower_bound_seconds"] == pytest.approx(4.0, abs=1e-3)
    assert plan["estimated_makespan_seconds"] >= plan["lower_bound_seconds"]


@pytest.mark.parametrize("a_ram_mib, expected", [(65536, "a"), (114688, "b")])
def test_drain_weighs_cpu_first_until_ram_passes_the_guard(a_ram_mib, expected):
    """a is CPU-idle but RAM-heavy: it wins unless the guest would take its RAM past 90 %."""
    hosts = [host("src"), host("a"), host("b")]
    guests = [instance("mover", "src", memory_mib=8192),
              instance("a-ram", "a", vcpus=2, cpu_util=0.5, memory_mib=a_ram_mib),
              instance("b-cpu", "b", vcpus=16, cpu_util=1.0, memory_mib=16384)]
    data = snapshot_dict(hosts, guests)
    plan = planner.drain(data, ["src"])
    assert_valid_plan(data, plan)
    assert [m["target"] for m in plan["moves"]] == [expected]


def test_drain_swaps_guests_to_lower_the_receiving_peak():
    """Largest-memory-first puts "fat" on CPU-idle a; "hot" then cannot follow (RAM guard) and
    lands on b at 70 % CPU. Swapping them leaves both under 50 %."""
    hosts = [host("src"), host("a"), host("b")]
    guests = [instance("a-base", "a", vcpus=8, cpu_util=0.8, memory_mib=78848),
              instance("b-base", "b", vcpus=16, cpu_util=0.8, memory_mib=39424),
              instance("fat", "src", vcpus=2, cpu_util=0.3, memory_mib=32768),
              instance("hot", "src", vcpus=10, cpu_util=0.96, memory_mib=12288)]
    data = snapshot_dict(hosts, guests)
    plan = planner.drain(data, ["src"])
    assert_valid_plan(data, plan)
    assert {m["instance"]: m["target"] for m in plan["moves"]} == {"fat": "b", "hot": "a"}
    after = plan["metrics"]["hosts"]
    assert max(after[name]["after"]["cpu"] for name in ("a", "b")) <= 0.5 + 1e-9


def _guest(name, host_name, cpu, memory_gib):
    return instance(name, host_name, vcpus=4, cpu_util=cpu / 4, memory_mib=memory_gib * 1024)


def test_even_out_lowers_the_next_hottest_host_to_make_room_and_swaps_one_guest_for_two():
    """Where greedy left a tight drain (a seeded benchmark cluster, cut down): c is hottest with one
    small guest that fits nowhere below it, b is at its RAM guard. Swapping a's big guest for two
    of b's makes room, the small guest then leaves c: the peak drops to the optimum, 0.435."""
    hosts = [host(name, vcpus=vcpus, memory_mib=gib * 1024, cpu_allocation_ratio=4.0)
             for name, vcpus, gib in (("src", 16, 128), ("a", 16, 64), ("b", 16, 64), ("c", 12, 48))]
    guests = [_guest("a-base", "a", 4.91, 30), _guest("b-base", "b", 2.77, 30), _guest("c-base", "c", 5.38, 22)]
    greedy = {"m0": ("a", 2.4, 16), "m1": ("b", 1.36, 16), "m2": ("b", 0.86, 2), "m3": ("b", 0.78, 4),
              "m4": ("b", 0.55, 2), "m5": ("b", 0.15, 2), "m6": ("c", 0.11, 2)}
    guests += [_guest(name, "src", cpu, gib) for name, (unused_target, cpu, gib) in greedy.items()]
    snapshot = parse_snapshot(snapshot_dict(hosts, guests))
    cluster = Cluster(snapshot)
    moves = []
    for name, (target, unused_cpu, unused_gib) in greedy.items():
        guest = snapshot.instance_by_id[name]
        cluster.apply(guest, target)
        moves.append(scheduling.Move(guest, "src", target, LIVE, False))
    planner._even_out(cluster, moves, ["a", "b", "c"])
    assert "c" not in {move.target for move in moves}
    assert max(cluster.load.util(name)[0] for name in ("a", "b")) == pytest.approx(0.435, abs=1e-3)
    assert max(cluster.load.util(name)[1] for name in ("a", "b")) <= 0.9


def test_evacuate_evens_out_receiving_hosts_too():
    """Evacuation places HA guests first; the even-out pass then moves one off the hotter host."""
    hosts = [host("dead", state="down", forced_down=True), host("a"), host("b")]
    guests = [instance("big", "dead", vcpus=8, cpu_util=1.0, memory_mib=65536),
              instance("ha", "dead", vcpus=8, cpu_util=0.5, ha_enabled=True, memory_mib=4096),
              instance("a-base", "a", vcpus=8, cpu_util=0.5, memory_mib=57344)]
    data = snapshot_dict(hosts, guests)
    plan = planner.evacuate(data, ["dead"])
    assert_valid_plan(data, plan)
    assert {m["instance"]: m["target"] for m in plan["moves"]} == {"ha": "a", "big": "b"}
