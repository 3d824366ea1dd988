"""A fleet seeded once starts again from the seed cache, and the restored twin works like a booted one."""
import glob
import os
import sqlite3
import tempfile

import pytest

from tests.fixtures.nova_twin import started_twin

FLEET_ARGS = ["--computes", "2", "--servers", "10", "--time-factor", "50"]


@pytest.fixture(scope="module")
def twins():
    """The same fleet started twice against one seed cache: booted, then restored."""
    with tempfile.TemporaryDirectory(prefix="vmops-seed-cache-") as cache:
        args = FLEET_ARGS + ["--seed-cache", cache]
        with started_twin(args, timeout=600) as booted:
            before = _inventory(booted)
            booted_timings = booted.info["timings"]
        _age_saved_heartbeats(cache)
        with started_twin(args, timeout=600) as restored:
            yield booted_timings, before, restored


def _age_saved_heartbeats(cache):
    """Make the cached services look last seen hours ago, like a seed kept since yesterday."""
    for path in glob.glob(os.path.join(cache, "*", "cell*.sqlite")):
        with sqlite3.connect(path) as db:
            db.execute("UPDATE services SET updated_at = '2026-01-01 00:00:00', last_seen_up = '2026-01-01 00:00:00'")


def _inventory(twin):
    servers = {s.id: (s.name, s.status, s.compute_host, s.flavor.name)
               for s in twin.conn.compute.servers(all_projects=True)}
    usage = {h.name: (h.vcpus_used, h.memory_used, h.running_vms)
             for h in twin.conn.compute.hypervisors(details=True)}
    return servers, usage


def test_the_second_start_restores_instead_of_booting(twins):
    booted_timings, _, restored = twins
    assert booted_timings["seed_from"] == "boot"
    assert restored.info["timings"]["seed_from"] == "cache"
    assert restored.info["timings"]["seed_s"] < booted_timings["seed_s"]


def test_restored_computes_are_up_at_once(twins):
    _, _, twin = twins
    services = list(twin.conn.compute.services(binary="nova-compute"))
    assert sorted(s.host for s in services) == sorted(twin.hosts)
    assert {s.state for s in services} == {"up"}


def test_restored_servers_and_usage_match_the_booted_fleet(twins):
    _, before, restored = twins
    assert _inventory(restored) == before


@pytest.mark.parametrize("flavor", ["t1.small", "t1.volume"])
def test_restored_server_live_migrates(twins, flavor):
    _, _, twin = twins
    server = next(s for s in twin.conn.compute.servers(all_projects=True)
                  if s.flavor.name == flavor and s.status == "ACTIVE")
    target = next(h for h in twin.hosts if h != server.compute_host)
    twin.conn.compute.live_migrate_server(server, host=target, block_migration="auto")
    assert twin.wait_migration(server.id, ("completed", "error", "failed")).status == "completed"
    assert twin.wait_server(server.id).compute_host == target


def test_restored_shutoff_server_cold_migrates(twins):
    _, _, twin = twins
    server = next(s for s in twin.conn.compute.servers(all_projects=True) if s.status == "SHUTOFF")
    source = server.compute_host
    twin.conn.compute.migrate_server(server)
    twin.wait_server(server.id, "VERIFY_RESIZE")
    twin.conn.compute.confirm_server_resize(server)
    moved = twin.wait_server(server.id, "SHUTOFF")
    assert moved.compute_host != source


def test_restored_twin_boots_new_servers(twins):
    _, _, twin = twins
    server = twin.boot("after-restore", flavor="t1.medium", host=twin.hosts[1])
    assert server.compute_host == twin.hosts[1]
