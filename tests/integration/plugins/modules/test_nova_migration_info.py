"""nova_migration_info against the Nova twin, after a live migration made with openstacksdk."""
import time

import pytest

from tests.integration.plugins.modules.nova_module_runner import run_module


MIGRATION_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def conn(nova_twin):
    return nova_twin.connect()


@pytest.fixture(scope="module")
def migrated(conn):
    """A small running, unpinned server, live-migrated to another host; waits for `completed`.

    Volume-backed servers come first: without local disks there is no block copy to wait for.
    Servers other tests gave simulation knobs (a dirty rate that never converges, a failure) are
    left alone: the session twin is shared.
    """
    candidates = [server for server in conn.compute.servers(details=True, all_projects=True)
                  if server.status == "ACTIVE" and not (server.flavor.get("extra_specs") or {})
                  and not any(key.startswith("sim_") for key in (server.metadata or {}))]
    server = min(candidates, key=lambda s: (bool(s.image and s.image.id), s.flavor["ram"], s.flavor["disk"]))
    source = server.compute_host
    target = next(s.host for s in conn.compute.services(binary="nova-compute") if s.host != source and s.status == "enabled")
    conn.compute.live_migrate_server(server, host=target, block_migration="auto")
    deadline = time.monotonic() + MIGRATION_TIMEOUT_S
    while True:
        found = [m for m in conn.compute.migrations(instance_uuid=server.id) if m.migration_type == "live-migration"]
        if found and found[0].status in ("completed", "error", "failed", "cancelled"):
            break
        assert time.monotonic() < deadline, "live migration of %s did not finish" % server.name
        time.sleep(0.5)
    assert found[0].status == "completed"
    return {"server_id": server.id, "name": server.name, "source": source, "target": target}


def ours(result, migrated):
    assert not result.get("failed"), result
    return [m for m in result["migrations"] if m["server_id"] == migrated["server_id"]]


def test_completed_live_migration_is_listed(nova_twin, migrated):
    found = ours(run_module("nova_migration_info", nova_twin, server=migrated["server_id"]), migrated)
    assert len(found) >= 1
    newest = found[0]
    assert (newest["status"], newest["migration_type"]) == ("completed", "live-migration")
    assert (newest["source_compute"], newest["dest_compute"]) == (migrated["source"], migrated["target"])
    assert newest["progress"] is None


@pytest.mark.parametrize("filters, listed", [
    ({"host": "{source}"}, True),
    ({"host": "{target}", "status": ["completed"], "migration_type": "live-migration"}, True),
    ({"server": "{name}"}, True),
    ({"status": ["error", "running"]}, False),
    ({"migration_type": "evacuation"}, False),
    ({"changes_since": "2999-01-01T00:00:00Z"}, False),
])
def test_filters(nova_twin, migrated, filters, listed):
    args = {key: value.format(**migrated) if isinstance(value, str) else value for key, value in filters.items()}
    assert bool(ours(run_module("nova_migration_info", nova_twin, **args), migrated)) is listed


def test_limit(nova_twin, migrated):
    result = run_module("nova_migration_info", nova_twin, limit=1)
    assert len(result["migrations"]) == 1 and result["changed"] is False


def test_unknown_server_fails_clearly(nova_twin):
    result = run_module("nova_migration_info", nova_twin, server="no-such-server")
    assert result["failed"] is True and "no-such-server" in result["msg"]
