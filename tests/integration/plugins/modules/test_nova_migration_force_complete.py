"""nova_migration_force_complete against the Nova twin."""
from tests.integration.plugins.modules.moving_twin import server  # noqa: F401
from tests.integration.plugins.modules.nova_module_runner import run_module
from tests.integration.plugins.modules.test_nova_migration_abort import start_running


def test_force_complete_finishes_a_non_converging_migration(moving_twin):
    conn = moving_twin.connect()
    guest, migration = start_running(conn, "busy-force", "compute-2")
    result = run_module("nova_migration_force_complete", moving_twin, server="busy-force", poll_interval=0.2)
    assert result["changed"] is True and result["migration_id"] == str(migration.id), result
    assert result["status_after"] == "completed" and result["host"] == "compute-2"
    assert server(conn, "busy-force").status == "ACTIVE"
    again = run_module("nova_migration_force_complete", moving_twin, server="busy-force")
    assert again["changed"] is False
