"""Cold migration, evacuation of a dead host, and service enable/disable."""
import time


def _service(twin, host):
    [service] = twin.conn.compute.services(binary="nova-compute", host=host)
    return service


def test_cold_migrate_and_confirm(nova_twin_clean):
    twin = nova_twin_clean
    server = twin.boot("cold-confirm", flavor="t1.volume", host=twin.hosts[1])
    twin.conn.compute.migrate_server(server, host=twin.hosts[2])
    twin.wait_server(server.id, "VERIFY_RESIZE")
    twin.conn.compute.confirm_server_resize(server)
    assert twin.wait_server(server.id).compute_host == twin.hosts[2]
    assert twin.wait_migration(server.id, "confirmed", migration_type="migration").dest_compute == twin.hosts[2]


def test_cold_migrate_and_revert(nova_twin_clean):
    twin = nova_twin_clean
    server = twin.boot("cold-revert", flavor="t1.volume", host=twin.hosts[3])
    twin.conn.compute.migrate_server(server)
    twin.wait_server(server.id, "VERIFY_RESIZE")
    twin.conn.compute.revert_server_resize(server)
    assert twin.wait_server(server.id).compute_host == twin.hosts[3]
    assert twin.wait_migration(server.id, "reverted", migration_type="migration")


def test_kill_force_down_evacuate_revive(nova_twin_clean):
    twin = nova_twin_clean
    dead = twin.hosts[3]
    server = twin.boot("evacuee", flavor="t1.volume", host=dead)
    twin.control.kill(dead)
    assert twin.control.status()["hosts"][dead]["service"] == "killed"
    twin.conn.compute.update_service_forced_down(_service(twin, dead), forced=True)
    assert _service(twin, dead).state == "down"
    twin.conn.compute.evacuate_server(server)
    evacuation = twin.wait_migration(server.id, ("done", "error", "failed"), migration_type="evacuation")
    assert evacuation.status == "done"
    moved = twin.wait_server(server.id, ("ACTIVE", "SHUTOFF"))
    assert moved.compute_host not in (None, dead)
    # Nova keeps the host forced down until its restarted compute has cleaned up the evacuee.
    twin.control.revive(dead)
    twin.wait_migration(server.id, "completed", migration_type="evacuation")
    twin.conn.compute.update_service_forced_down(_service(twin, dead), forced=False)
    deadline = time.monotonic() + 30
    while _service(twin, dead).state != "up":
        assert time.monotonic() < deadline, "revived compute never reported up"
        time.sleep(0.5)


def test_disable_with_reason_then_enable(nova_twin_clean):
    twin = nova_twin_clean
    service = _service(twin, twin.hosts[0])
    twin.conn.compute.disable_service(service, disabled_reason="vmops:drain:test")
    service = _service(twin, twin.hosts[0])
    assert service.status == "disabled" and service.disabled_reason == "vmops:drain:test"
    twin.conn.compute.enable_service(service)
    assert _service(twin, twin.hosts[0]).status == "enabled"
