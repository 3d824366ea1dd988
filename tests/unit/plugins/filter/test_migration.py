import copy
import json
import os

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.vmops.migration.plugins.filter.migration import FilterModule
from ansible_collections.vmops.migration.plugins.module_utils import planner
from tests.unit.clusters import host, instance, snapshot_dict
from tests.unit.plan_checks import ROOT, assert_valid_plan

FILTERS = FilterModule().filters()


def _data():
    return snapshot_dict([host("compute-1"), host("compute-10", status="disabled", disabled_reason="maintenance"),
                          host("compute-2")],
                         [instance("vm-a", "compute-1"), instance("vm-b", "compute-2", memory_mib=8192)])


def test_every_filter_has_its_documentation_and_every_document_its_filter():
    folder = os.path.join(ROOT, "plugins", "filter")
    documented = {name[:-4] for name in os.listdir(folder) if name.endswith(".yml")}
    assert set(FILTERS) == documented


def test_plan_outcome_names_what_went_wrong():
    before = _data()
    plan = FILTERS["drain_plan"](before, ["compute-1"])
    after = copy.deepcopy(before)
    assert FILTERS["plan_outcome"](plan, before, after) == ["vm-a: still on compute-1"]
    after["instances"][0].update(host="compute-2", status="ERROR")
    assert FILTERS["plan_outcome"](plan, before, after) == ["vm-a: ACTIVE before, ERROR now"]
    after["instances"][0].update(status="ACTIVE")
    assert FILTERS["plan_outcome"](plan, before, after) == []
    del after["instances"][0]
    assert FILTERS["plan_outcome"](plan, before, after) == ["vm-a: not found after the run"]


def test_migration_report_joins_plan_and_results():
    plan = FILTERS["drain_plan"](_data(), ["compute-1"])
    results = [{"instance": "vm-a", "target": "compute-2", "status": "completed", "seconds": 4.0,
                "bytes_transferred": 2 ** 30, "started_at": "2026-01-01T00:00:00+00:00", "attempts": 1}]
    built = FILTERS["migration_report"](plan, results=results, run_id="r1", started_at="2026-01-01T00:00:00+00:00",
                                        finished_at="2026-01-01T00:00:09+00:00")
    assert built["totals"]["by_result"] == {"completed": 1} and built["totals"]["elapsed_seconds"] == 9.0
    assert built["moves"][0]["bytes"] == 2 ** 30 and built["moves"][0]["result"] == "completed"
    markdown = FILTERS["migration_report"](built, format="markdown")
    assert "| vm-a | compute-1 | compute-2 | live |" in markdown and "# Drain report (run r1)" in markdown
    assert json.loads(FILTERS["migration_report"](built, format="json")) == built


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
