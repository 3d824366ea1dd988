"""Item 3: failing migrations are retried elsewhere up to max_attempts and then reported with the
reason; a stall triggers on_stall; a guest that never converges is aborted (or force-completed
when asked) within its timeout. Every guest ends ACTIVE, never in ERROR, and where the result says.
"""

import time

import pytest

from tests.reliability.fault_twin import plan
from tests.reliability.twin_audit import TwinAudit

SCENARIO = "Migration failures and stalls (fail x3 attempts, stall abort/force, timeout)"


def move_away(twin, name, target=None, **options):
    """Run nova_apply_plan for one live move of `name` (to `target`, else the next host); (result, audit, seconds)."""
    server_id = twin.ids([name])[0]
    source = twin.server(server_id).compute_host
    target = target or next(host for host in twin.hosts if host not in (source, "compute-0"))
    audit = TwinAudit(twin, [server_id])
    started = time.monotonic()
    applied = twin.run("nova_apply_plan", plan=plan([(server_id, source, target)]), poll_interval=0.5, **options)
    return applied, audit, time.monotonic() - started, source


def record(ledger, audit, applied, faults):
    attempts = {result["instance"]: result["attempts"] for result in applied["results"]}
    figures = audit.figures(attempts)
    ledger.record(SCENARIO, migrations=sum(audit.live_migrations().values()), faults=faults,
                  lost=len(figures["lost"]), in_error=len(figures["in_error"]), duplicates=figures["duplicates"])
    return figures


def test_a_failing_migration_is_retried_on_other_targets_then_reported_with_the_reason(fault_twin_clean, ledger):
    twin = fault_twin_clean
    applied, audit, unused_seconds, source = move_away(twin, "flaky", max_attempts=3)
    figures = record(ledger, audit, applied, faults=3)
    assert applied.get("failed") and "flaky" in applied["msg"]
    result = applied["results"][0]
    assert result["status"] == "failed" and result["attempts"] == 3 and result["target"] == source
    assert result["failure"]["code"] and result["failure"]["message"] and result["failure"]["next_step"]
    migrations = twin.migrations(result["instance"], "live-migration")[:3]
    assert [migration.status for migration in migrations] == ["error"] * 3
    assert len({migration.dest_compute for migration in migrations}) == 3  # each attempt on another target
    assert figures == {"lost": [], "in_error": [], "duplicates": 0}
    assert twin.server(result["instance"]).compute_host == source


@pytest.mark.parametrize("on_stall, status, ends_on", [
    ("abort", "aborted", "source"),
    ("force_complete", "force_completed", "target"),
])
def test_a_stall_triggers_on_stall(fault_twin_clean, ledger, on_stall, status, ends_on):
    twin = fault_twin_clean
    applied, audit, seconds, source = move_away(twin, "busy-0", stall_timeout=3, on_stall=on_stall)
    figures = record(ledger, audit, applied, faults=1)
    result = applied["results"][0]
    assert result["status"] == status, applied.get("msg")
    assert (result["failure"] or {}).get("code") == ("STALLED" if status == "aborted" else None)
    host = twin.server(result["instance"]).compute_host
    assert host == (source if ends_on == "source" else result["target"]) and host == result["target"]
    assert seconds < 60
    assert figures == {"lost": [], "in_error": [], "duplicates": 0}


def test_a_guest_that_never_converges_is_aborted_within_the_runs_timeout(fault_twin_clean, ledger):
    twin = fault_twin_clean
    applied, audit, seconds, source = move_away(twin, "busy-1", timeout=10)
    figures = record(ledger, audit, applied, faults=1)
    result = applied["results"][0]
    assert applied.get("failed") and result["status"] == "failed" and result["failure"]["code"] == "TIMEOUT"
    assert seconds < 10 + 20  # the timeout, the abort taking effect and the module's start-up
    assert twin.server(result["instance"]).compute_host == source == result["target"]
    assert twin.migrations(result["instance"], "live-migration")[0].status == "cancelled"
    assert figures == {"lost": [], "in_error": [], "duplicates": 0}
