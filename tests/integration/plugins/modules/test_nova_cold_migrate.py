"""nova_cold_migrate against the Nova twin: real openstacksdk, the real module, Ansible's way of running it."""
from tests.integration.plugins.modules.moving_twin import migrations_of, server  # noqa: F401
from tests.integration.plugins.modules.nova_module_runner import run_module

FAST = {"poll_interval": 0.2}


def test_check_mode_plans_and_writes_nothing(moving_twin):
    conn = moving_twin.connect()
    before = server(conn, "cold-confirm")
    result = run_module("nova_cold_migrate", moving_twin, check_mode=True, diff=True,
                        servers=["cold-confirm"], target="compute-1", **FAST)
    assert result["changed"] is True, result
    assert result["results"] == [{"instance": before.id, "name": "cold-confirm", "source": "compute-2",
                                  "target": "compute-1", "type": "cold", "status": "planned"}]
    assert result["diff"] == {"before": {"placement": {"cold-confirm": "compute-2"}},
                              "after": {"placement": {"cold-confirm": "compute-1"}}}
    assert migrations_of(conn, before.id) == [] and server(conn, "cold-confirm").compute_host == "compute-2"


def test_moves_and_confirms_then_second_run_changes_nothing(moving_twin):
    conn = moving_twin.connect()
    first = run_module("nova_cold_migrate", moving_twin, diff=True, servers=["cold-confirm"], target="compute-1", **FAST)
    assert first["changed"] is True and first.get("failed") is not True, first
    (entry,) = first["results"]
    assert (entry["status"], entry["source"], entry["target"], entry["type"]) == ("completed", "compute-2", "compute-1", "cold")
    moved = server(conn, "cold-confirm")
    assert (moved.compute_host, moved.status) == ("compute-1", "ACTIVE")
    assert [(m.migration_type, m.status) for m in migrations_of(conn, moved.id)] == [("migration", "confirmed")]

    again = run_module("nova_cold_migrate", moving_twin, servers=["cold-confirm"], target="compute-1", **FAST)
    assert again["changed"] is False and again["results"] == [], again
    assert len(migrations_of(conn, moved.id)) == 1


def test_left_unconfirmed_then_reverted_to_its_source(moving_twin):
    conn = moving_twin.connect()
    wanted = dict(servers=["cold-revert"], target="compute-1", confirm=False, **FAST)
    moved = run_module("nova_cold_migrate", moving_twin, **wanted)
    assert moved["changed"] is True and moved["results"][0]["status"] == "completed", moved
    waiting = server(conn, "cold-revert")
    assert (waiting.compute_host, waiting.status) == ("compute-1", "VERIFY_RESIZE")
    assert migrations_of(conn, waiting.id)[-1].status == "finished"
    assert run_module("nova_cold_migrate", moving_twin, **wanted)["changed"] is False

    planned = run_module("nova_cold_migrate", moving_twin, check_mode=True, diff=True,
                         servers=["cold-revert"], revert=True, **FAST)
    assert planned["changed"] is True and planned["results"][0]["target"] == "compute-2", planned
    assert planned["diff"]["after"]["placement"] == {"cold-revert": "compute-2"}
    assert server(conn, "cold-revert").status == "VERIFY_RESIZE"

    reverted = run_module("nova_cold_migrate", moving_twin, servers=["cold-revert"], revert=True, **FAST)
    assert reverted["changed"] is True and reverted.get("failed") is not True, reverted
    (entry,) = reverted["results"]
    assert (entry["status"], entry["target"], entry["adopted"]) == ("completed", "compute-2", True)
    back = server(conn, "cold-revert")
    assert (back.compute_host, back.status) == ("compute-2", "ACTIVE")
    assert [m.status for m in migrations_of(conn, back.id)] == ["reverted"]

    again = run_module("nova_cold_migrate", moving_twin, servers=["cold-revert"], revert=True, **FAST)
    assert again["changed"] is False and "nothing to revert" in again["msg"]


def test_blocked_target_fails_with_reason_codes_before_any_write(moving_twin):
    conn = moving_twin.connect()
    known = migrations_of(conn, server(conn, "web-1").id)
    service = next(conn.compute.services(binary="nova-compute", host="compute-3"))
    conn.compute.disable_service(service, disabled_reason="test: maintenance")
    try:
        result = run_module("nova_cold_migrate", moving_twin, servers=["web-1"], target="compute-3", **FAST)
    finally:
        conn.compute.enable_service(service)
    assert result["failed"] is True
    assert [reason["code"] for reason in result["reasons"]] == ["TARGET_UNAVAILABLE"], result
    assert migrations_of(conn, server(conn, "web-1").id) == known


def test_revert_with_a_target_is_refused_before_any_read(moving_twin):
    result = run_module("nova_cold_migrate", moving_twin, servers=["web-1"], target="compute-3", revert=True)
    assert result["failed"] is True and result["parameter"] == "target", result
