"""nova_migration_abort against the Nova twin."""
import time

from tests.integration.plugins.modules.moving_twin import migrations_of, server  # noqa: F401
from tests.integration.plugins.modules.nova_module_runner import run_module


def start_running(conn, name, target):
    """Start a live migration that never converges and wait until it copies."""
    guest = server(conn, name)
    conn.compute.live_migrate_server(guest, host=target, block_migration="auto")
    deadline = time.monotonic() + 30
    while migrations_of(conn, guest.id)[-1].status != "running":
        assert time.monotonic() < deadline, "the migration never started running"
        time.sleep(0.2)
    return guest, migrations_of(conn, guest.id)[-1]


def test_abort_non_converging_migration_keeps_the_guest_on_its_source(moving_twin):
    conn = moving_twin.connect()
    guest, migration = start_running(conn, "busy-abort", "compute-2")
    checked = run_module("nova_migration_abort", moving_twin, check_mode=True, server="busy-abort")
    assert checked["changed"] is True and checked["migration_id"] == str(migration.id)
    assert migrations_of(conn, guest.id)[-1].status == "running"
    result = run_module("nova_migration_abort", moving_twin, server="busy-abort", poll_interval=0.2)
    assert result["changed"] is True and result["status_after"] == "cancelled", result
    after = server(conn, "busy-abort")
    assert (after.compute_host, after.status) == ("compute-1", "ACTIVE")
    again = run_module("nova_migration_abort", moving_twin, server="busy-abort")
    assert again["changed"] is False


def test_migration_id_of_another_server_is_refused(moving_twin):
    conn = moving_twin.connect()
    other = migrations_of(conn, server(conn, "busy-abort").id)[-1]
    result = run_module("nova_migration_abort", moving_twin, server="web-3", migration_id=str(other.id))
    assert result["failed"] is True and result["parameter"] == "migration_id"
    assert "is not a live migration of server web-3" in result["msg"]
