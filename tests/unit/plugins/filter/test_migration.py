import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.vmops.migration.plugins.filter.migration import FilterModule
from ansible_collections.vmops.migration.plugins.module_utils import planner
from tests.unit.clusters import host, instance, snapshot_dict
from tests.unit.plan_checks import assert_valid_plan

FILTERS = FilterModule().filters()


def _data():
    return snapshot_dict([host("compute-1"), host("compute-10", status="disabled", disabled_reason="maintenance"),
                          host("compute-2")],
                         [instance("vm-a", "compute-1"), instance("vm-b", "compute-2", memory_mib=8192)])


def test_every_documented_filter_is_exported():
    assert set(FILTERS) == {"live_migration_blockers", "migration_targets", "drain_plan", "evacuate_plan",
                            "rebalance_plan", "explain_reasons"}


def _blocking(reasons):
    return [r for r in reasons if r["severity"] == "block"]


def test_blockers_returns_every_reason_for_the_move():
    reasons = FILTERS["live_migration_blockers"](_data(), "vm-a", "compute-10")
    assert [r["code"] for r in _blocking(reasons)] == ["TARGET_UNAVAILABLE"]
    assert "maintenance" in _blocking(reasons)[0]["message"]
    # Without host facts the shared-CPU-set check is skipped, and the reasons say so.
    assert "HOST_FACTS_MISSING" in [r["code"] for r in reasons if r["severity"] == "info"]


def test_blockers_accepts_instance_names():
    assert _blocking(FILTERS["live_migration_blockers"](_data(), "vm-a", "compute-2")) == []


def test_migration_targets_ranks_feasible_and_explains_rejected():
    result = FILTERS["migration_targets"](_data(), "vm-a")
    assert [t["target"] for t in result["feasible"]] == ["compute-2"]
    assert {t["target"] for t in result["rejected"]} == {"compute-1", "compute-10"}


@pytest.mark.parametrize("name, args, kwargs", [
    ("drain_plan", (["compute-1"],), {"per_target": 1}),
    ("evacuate_plan", (["compute-1"],), {}),
    ("rebalance_plan", (), {"max_cpu_util": 0.5}),
])
def test_plan_filters_are_the_planner(name, args, kwargs):
    data = _data()
    plan = FILTERS[name](data, *args, **kwargs)
    assert_valid_plan(data, plan)
    workflow = name.replace("_plan", "")
    assert plan == planner.plan(data, workflow, args[0] if args else None, kwargs)


@pytest.mark.parametrize("call, message", [
    (lambda: FILTERS["drain_plan"](_data(), ["compute"]), 'drain_plan: hosts: unknown host "compute"'),
    (lambda: FILTERS["live_migration_blockers"](_data(), "nope", "compute-2"), "live_migration_blockers: instance:"),
    (lambda: FILTERS["live_migration_blockers"]({"version": 1}, "vm-a", "compute-2"), "platform: must be one of"),
    (lambda: FILTERS["explain_reasons"](42), "explain_reasons: _input: expects"),
    (lambda: FILTERS["rebalance_plan"](_data(), max_cpu_util="high"), "max_cpu_util must be a number"),
])
def test_errors_name_the_filter_and_the_problem(call, message):
    with pytest.raises(AnsibleFilterError) as raised:
        call()
    assert message in str(raised.value)


def test_explain_reasons_formats_reasons_and_plans():
    reasons = _blocking(FILTERS["live_migration_blockers"](_data(), "vm-a", "compute-10"))
    assert FILTERS["explain_reasons"](reasons).startswith("BLOCK TARGET_UNAVAILABLE [target compute-10]: ")
    summary = FILTERS["explain_reasons"](FILTERS["drain_plan"](_data(), ["compute-1"]))
    assert summary.startswith("drain plan: 1 moves (1 live), 0 blocked, feasible")
