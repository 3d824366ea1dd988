"""Live migration through the real Nova API, with the simulated pre-copy hypervisor."""
import itertools
import json
import os
import subprocess
import time

import pytest
from openstack import exceptions

from tests.fixtures.nova_twin import twin_python

_names = itertools.count()


def _boot(twin, host, flavor="t1.volume", **metadata):
    # Volume-backed by default: no disk phase, memory progress from the first tick.
    return twin.boot("lm-%d" % next(_names), flavor=flavor, host=host, metadata=metadata)


def _wait_running(twin, server_id, progress="memory_processed_bytes", timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        running = [m for m in twin.conn.compute.server_migrations(server_id) if m.status == "running"]
        if running and getattr(running[0], progress):
            return running[0]
        time.sleep(0.1)
    raise TimeoutError("no running migration with progress for %s" % server_id)


def test_live_migration_to_named_target_shows_progress(nova_twin_clean):
    twin = nova_twin_clean
    source, target = twin.hosts[0], twin.hosts[1]
    # 20 GiB of disk and 2 GiB of memory at 1000 MiB/s: about 2 s at time factor 10.
    server = _boot(twin, source, flavor="t1.small", sim_bw_mibps=1000, sim_dirty_mibps=10)
    twin.conn.compute.live_migrate_server(server, host=target, block_migration="auto")
    in_flight = _wait_running(twin, server.id, progress="disk_processed_bytes")
    assert in_flight.dest_compute == target and in_flight.source_compute == source
    assert in_flight.memory_total_bytes == 2048 * 1024 * 1024
    # t1.small has a local root disk, so 'auto' chose a block migration: disk goes first.
    assert in_flight.disk_total_bytes == 20 * 1024 ** 3
    assert 0 < in_flight.disk_processed_bytes and 0 < in_flight.disk_remaining_bytes
    assert in_flight.memory_remaining_bytes == in_flight.memory_total_bytes
    done = twin.wait_migration(server.id, ("completed", "error", "failed"), timeout=60)
    assert done.status == "completed"
    assert twin.wait_server(server.id).compute_host == target
    assert twin.control.live_migrate_posts(server.id) == 1
    transfer = next(item for item in twin.control.transfers() if item["server"] == server.id)
    assert (transfer["source"], transfer["dest"], transfer["outcome"]) == (source, target, "completed")
    # Disk 20480 MiB, then memory 2048 MiB, then the 20 MiB dirtied meanwhile, all at 1000 MiB/s.
    assert transfer["began"] < transfer["ended"] and transfer["simulated_s"] == pytest.approx(22.55, abs=0.01)


def test_scheduler_chooses_a_target(nova_twin_clean):
    twin = nova_twin_clean
    server = twin.boot("lm-sched", flavor="t1.volume", host=twin.hosts[2])
    twin.conn.compute.live_migrate_server(server, block_migration="auto")
    done = twin.wait_migration(server.id, ("completed", "error", "failed"), timeout=60)
    assert done.status == "completed" and done.dest_compute != twin.hosts[2]
    assert twin.wait_server(server.id).compute_host == done.dest_compute


def test_abort_of_non_converging_migration(nova_twin_clean):
    twin = nova_twin_clean
    source = twin.hosts[1]
    server = _boot(twin, source, sim_bw_mibps=100, sim_dirty_mibps=400)
    twin.conn.compute.live_migrate_server(server, host=twin.hosts[3])
    migration = _wait_running(twin, server.id)
    time.sleep(1.5)  # 15 simulated seconds: dozens of rounds, none small enough
    still = twin.conn.compute.get_server_migration(migration.id, server.id)
    assert still.status == "running"
    twin.conn.compute.abort_server_migration(migration, server.id)
    assert twin.wait_migration(server.id, ("cancelled", "completed", "error"), timeout=30).status == "cancelled"
    server = twin.wait_server(server.id)
    assert server.status == "ACTIVE" and server.compute_host == source


def test_force_complete_finishes_a_non_converging_migration(nova_twin_clean):
    twin = nova_twin_clean
    server = _boot(twin, twin.hosts[2], sim_bw_mibps=100, sim_dirty_mibps=400)
    twin.conn.compute.live_migrate_server(server, host=twin.hosts[0])
    migration = _wait_running(twin, server.id)
    twin.conn.compute.force_complete_server_migration(migration, server.id)
    assert twin.wait_migration(server.id, ("cancelled", "completed", "error"), timeout=60).status == "completed"
    assert twin.wait_server(server.id).compute_host == twin.hosts[0]


def test_sim_fail_ends_in_error_and_server_stays_on_source(nova_twin_clean):
    twin = nova_twin_clean
    source = twin.hosts[3]
    server = _boot(twin, source)
    twin.control.set_sim(server.id, fail=True)
    before = twin.control.status()["live_migrations"].get("failed", 0)
    twin.conn.compute.live_migrate_server(server, host=twin.hosts[0])
    assert twin.wait_migration(server.id, ("cancelled", "completed", "error"), timeout=60).status == "error"
    server = twin.wait_server(server.id)
    assert server.status == "ACTIVE" and server.compute_host == source
    assert twin.control.status()["live_migrations"]["failed"] == before + 1


def test_block_migration_false_refused_for_local_disk(nova_twin_clean):
    twin = nova_twin_clean
    server = _boot(twin, twin.hosts[0], flavor="t1.small")
    # At 2.30 (openstacksdk's choice) Nova runs the pre-checks inside the POST.
    with pytest.raises(exceptions.BadRequestException, match="No valid host"):
        twin.conn.compute.live_migrate_server(server, host=twin.hosts[1], block_migration=False)
    assert twin.wait_server(server.id).compute_host == twin.hosts[0]


def test_openstack_cli_shows_in_flight_migration_and_progress(nova_twin_clean):
    twin = nova_twin_clean
    server = _boot(twin, twin.hosts[1], sim_bw_mibps=100, sim_dirty_mibps=400)
    twin.conn.compute.live_migrate_server(server, host=twin.hosts[2])
    migration = _wait_running(twin, server.id)
    listed = _openstack(twin, "server", "migration", "list", "--server", server.id)
    # By UUID: openstackclient 10.5 swaps server and migration when given the numeric id.
    shown = _openstack(twin, "server", "migration", "show", server.id, migration.uuid)
    twin.conn.compute.abort_server_migration(migration, server.id)
    assert [(r["Status"], r["Dest Compute"]) for r in listed] == [("running", twin.hosts[2])]
    assert shown["Status"] == "running"
    assert 0 < shown["Memory Processed Bytes"] and 0 < shown["Memory Remaining Bytes"]


def _openstack(twin, *args):
    cli = os.path.join(os.path.dirname(twin_python()), "openstack")
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=twin.clouds_yaml)
    result = subprocess.run([cli, "--os-cloud", twin.cloud, *args, "-f", "json"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_each_compute_runs_its_own_live_migrations_and_queues_the_rest(nova_twin_clean):
    """Like one nova-compute process per host: one running migration per source (Nova's default
    max_concurrent_live_migrations 1) while other sources migrate at the same time."""
    twin = nova_twin_clean
    a, b, target = twin.hosts[0], twin.hosts[1], twin.hosts[2]
    # Never converge until aborted: each holds its source's one slot.
    first_a, second_a, first_b = (_boot(twin, host, sim_bw_mibps=100, sim_dirty_mibps=1000) for host in (a, a, b))
    for server in (first_a, second_a, first_b):
        twin.conn.compute.live_migrate_server(server, host=target, block_migration="auto")
    running = {server.id: _wait_running(twin, server.id) for server in (first_a, first_b)}
    queued = twin.wait_migration(second_a.id, ("queued",), timeout=30)
    assert {migration.source_compute for migration in running.values()} == {a, b}
    assert queued.status == "queued"
    for server_id, migration in running.items():
        twin.conn.compute.abort_server_migration(migration, server_id)
    now_running = _wait_running(twin, second_a.id)
    twin.conn.compute.abort_server_migration(now_running, second_a.id)
    for server in (first_a, second_a, first_b):
        assert twin.wait_migration(server.id, ("cancelled",), timeout=60).status == "cancelled"
