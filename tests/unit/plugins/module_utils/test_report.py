"""Reports say which host-level checks were skipped (HOST_FACTS_MISSING), once for all instances."""
import pytest

from ansible_collections.vmops.migration.plugins.module_utils import planner, report
from tests.unit.clusters import host, instance, snapshot_dict

GATHERED = {"host_facts_gathered": True, "cpu_shared_set": "0-3"}


def drain(gathered):
    hosts = [host("a", **(GATHERED if gathered else {})), host("b", **(GATHERED if gathered else {}))]
    return planner.drain(snapshot_dict(hosts, [instance("vm-1", "a"), instance("vm-2", "a")]), ["a"])


@pytest.mark.parametrize("gathered, expected", [
    (False, ["SHARED_CPU_SET_MISMATCH unchecked: host facts not gathered on a, b"]),
    (True, []),
])
def test_skipped_checks_are_listed_once(gathered, expected):
    assert report.skipped_checks(drain(gathered)) == expected


def test_plan_summary_and_markdown_name_the_skipped_checks():
    plan = drain(False)
    line = "SHARED_CPU_SET_MISMATCH unchecked: host facts not gathered on a, b"
    assert "  checks skipped (HOST_FACTS_MISSING):\n    " + line in report.plan_summary(plan)
    markdown = report.markdown_report(report.run_report(plan))
    assert "## Checks skipped (HOST_FACTS_MISSING)\n\n- " + line in markdown


def test_nothing_skipped_adds_no_section():
    plan = drain(True)
    assert "checks skipped" not in report.plan_summary(plan)
    assert "Checks skipped" not in report.markdown_report(report.run_report(plan))


def test_findings_after_the_moves_join_the_move_and_the_markdown():
    plan = drain(True)
    finding = {"instance": "vm-1", "code": "NUMA_TOPOLOGY_DIFFERS", "severity": "warn", "target": "b",
               "message": "vm-1 on b after the move: NIC x on NUMA node 1, away from the vCPUs on 0"}
    built = report.run_report(plan, findings=[finding])
    assert built["after_the_moves"] == [finding]
    codes = {move["instance"]: move["reason_codes"] for move in built["moves"]}
    assert "NUMA_TOPOLOGY_DIFFERS" in codes["vm-1"] and "NUMA_TOPOLOGY_DIFFERS" not in codes["vm-2"]
    assert "## Found after the moves\n\n- NUMA_TOPOLOGY_DIFFERS (warn): vm-1 on b after the move: NIC x" in report.markdown_report(built)
