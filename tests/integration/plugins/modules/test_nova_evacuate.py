"""nova_evacuate against the Nova twin: refusals that change nothing, then a real host failure.

The twin kills compute-3's nova-compute; the test forces it down with nova_compute_service, evacuates
it, and brings it back the way the recipe says (restart it, then clear forced_down), so that later
tests see a healthy cloud.
"""
import time

import pytest

from tests.integration.plugins.modules.moving_twin import migrations_of, server  # noqa: F401
from tests.integration.plugins.modules.nova_module_runner import run_module

FAST = {"poll_interval": 0.2}
DEAD = "compute-3"
GUESTS = ("evac-1", "evac-2")


def compute_service(conn, host):
    return next(iter(conn.compute.services(binary="nova-compute", host=host)))


def placement(conn):
    """Every server's (name, host, status) and every migration record: what a refused call must leave alone."""
    servers = sorted((s.name, s.compute_host, s.status) for s in conn.compute.servers(details=True, all_projects=True))
    return servers, sorted((m.id, m.status) for m in conn.compute.migrations())


def evacuations(conn, server_id):
    """Statuses of the server's evacuation records, oldest first."""
    return [m.status for m in migrations_of(conn, server_id) if m.migration_type == "evacuation"]


def wait_for(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(0.2)


@pytest.fixture
def failed_host(moving_twin):
    """compute-3, killed by the test; afterwards revived and no longer forced down, whatever happened."""
    yield DEAD
    conn = moving_twin.connect()
    moving_twin.control("POST", "/hosts/%s/revive" % DEAD)
    # The restarted compute deletes the evacuated guests and turns `done` records into `completed`;
    # only then does Nova let forced_down be cleared.
    wait_for(lambda: all(m.status != "done" for m in conn.compute.migrations(source_compute=DEAD,
                                                                           migration_type="evacuation")),
             "the evacuation records of %s to be completed" % DEAD)
    cleared = run_module("nova_compute_service", moving_twin, host=DEAD, forced_down=False)
    assert cleared.get("failed") is not True, cleared
    # A restarted compute first reports in 5 s after it starts (Nova's initial reporting delay);
    # until then a host killed for longer than service_down_time still counts as down.
    wait_for(lambda: compute_service(conn, DEAD).state == "up", "the restarted %s to report in" % DEAD)


def test_refused_while_the_host_is_alive(moving_twin):
    conn = moving_twin.connect()
    before = placement(conn)
    result = run_module("nova_evacuate", moving_twin, host=DEAD, **FAST)
    assert result["failed"] is True and result["parameter"] == "fencing_confirmed", result
    assert "refusing to evacuate compute-3" in result["msg"] and "not forced down" in result["msg"]
    assert placement(conn) == before


def test_refused_for_servers_not_on_that_host(moving_twin):
    conn = moving_twin.connect()
    before = placement(conn)
    result = run_module("nova_evacuate", moving_twin, host=DEAD, servers=["evac-1", "web-1"],
                        fencing_confirmed=True, **FAST)
    assert result["failed"] is True and result["parameter"] == "servers", result
    assert "web-1 (on compute-" in result["msg"] and "evac-1" not in result["msg"]
    assert placement(conn) == before


def test_evacuates_a_dead_host_once_keeping_identity(moving_twin, failed_host):
    conn = moving_twin.connect()
    conn.compute.set_server_metadata(server(conn, "evac-2"), HA_Enabled="True")
    conn.compute.stop_server(server(conn, "evac-1"))
    wait_for(lambda: server(conn, "evac-1").status == "SHUTOFF", "evac-1 to stop")
    # Whatever else earlier tests left on the host is evacuated too, after the HA-enabled guest.
    before = {guest.name: guest for guest in conn.compute.servers(details=True, all_projects=True)
              if guest.compute_host == failed_host}
    assert set(GUESTS) <= set(before)
    order = ["evac-2"] + sorted(name for name in before if name != "evac-2")

    moving_twin.control("POST", "/hosts/%s/kill" % failed_host)
    still_up = run_module("nova_evacuate", moving_twin, host=failed_host, **FAST)
    assert still_up["failed"] is True and still_up["parameter"] == "fencing_confirmed", still_up
    assert all(evacuations(conn, guest.id) == [] for guest in before.values())

    forced = run_module("nova_compute_service", moving_twin, host=failed_host, forced_down=True, host_fenced=True)
    assert forced["changed"] is True, forced
    checked = run_module("nova_evacuate", moving_twin, check_mode=True, diff=True, host=failed_host, **FAST)
    assert checked["changed"] is True and "forced down" in checked["safety"], checked
    assert [entry["name"] for entry in checked["results"]] == order  # HA-enabled first
    assert all(evacuations(conn, guest.id) == [] for guest in before.values())

    result = run_module("nova_evacuate", moving_twin, diff=True, host=failed_host, **FAST)
    assert result["changed"] is True and result.get("failed") is not True, result
    assert [(e["name"], e["status"], e["source"]) for e in result["results"]] == [
        (name, "completed", failed_host) for name in order]
    assert "down and forced down" in result["safety"]
    for guest in before.values():
        after = server(conn, guest.name)
        assert after.compute_host not in (None, failed_host)
        assert (after.id, after.name, after.addresses) == (guest.id, guest.name, guest.addresses)
        assert after.status == guest.status  # ACTIVE again if it was ACTIVE, SHUTOFF stays SHUTOFF
        # Asked at microversion 2.94, Nova itself starts the running one again (2.95 would leave it SHUTOFF).
        assert "start" not in [a.action for a in conn.compute.server_actions(guest.id)]
        assert evacuations(conn, guest.id) == ["done"]
    assert {entry["id"]: (entry["host"], entry["unchanged"]) for entry in result["identity"]} == {
        guest.id: (server(conn, guest.name).compute_host, True) for guest in before.values()}

    again = run_module("nova_evacuate", moving_twin, host=failed_host, **FAST)
    assert again["changed"] is False and again["results"] == [], again
    named = run_module("nova_evacuate", moving_twin, host=failed_host, servers=list(GUESTS), **FAST)
    assert named["changed"] is False and sorted(named["already_evacuated"]) == list(GUESTS), named
    assert all(len(evacuations(conn, guest.id)) == 1 for guest in before.values())


def test_the_host_is_healthy_again(moving_twin):
    conn = moving_twin.connect()
    service = compute_service(conn, DEAD)
    assert (service.state, service.status, service.is_forced_down) == ("up", "enabled", False)
    statuses = [m.status for m in conn.compute.migrations(source_compute=DEAD, migration_type="evacuation")]
    assert len(statuses) >= len(GUESTS) and set(statuses) == {"completed"}
