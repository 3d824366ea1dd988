"""nova_live_migrate against the Nova twin: real openstacksdk, the real module, Ansible's way of running it."""
import json
import os
import subprocess
import time

from tests.integration.plugins.modules.moving_twin import BULK, migrations_of, server  # noqa: F401
from tests.integration.plugins.modules.nova_module_runner import COLLECTIONS, run_module

FAST = {"poll_interval": 0.2}


def ansible_adhoc(twin, module, args):
    """`ansible localhost -m vmops.migration.<module> -a JSON`, the result as a dict."""
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=twin.clouds_yaml, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.minimal", ANSIBLE_LOCALHOST_WARNING="0")
    done = subprocess.run(["ansible", "localhost", "-m", "vmops.migration." + module, "-a",
                           json.dumps(dict(args, cloud=twin.cloud))],
                          capture_output=True, text=True, env=env, timeout=180, check=False)
    # minimal prints "localhost | CHANGED => {...}"
    return json.loads(done.stdout.split(" => ", 1)[1])


def test_check_mode_plans_and_writes_nothing(moving_twin):
    conn = moving_twin.connect()
    before = server(conn, "web-1")
    result = run_module("nova_live_migrate", moving_twin, check_mode=True, diff=True,
                        servers=["web-1"], target="compute-2", **FAST)
    assert result["changed"] is True
    assert result["results"] == [{"instance": before.id, "name": "web-1", "source": "compute-1",
                                  "target": "compute-2", "type": "live", "status": "planned"}]
    assert result["diff"]["after"]["placement"] == {"web-1": "compute-2"}
    assert migrations_of(conn, before.id) == [] and server(conn, "web-1").compute_host == "compute-1"


def test_named_target_moves_then_second_run_changes_nothing(moving_twin):
    conn = moving_twin.connect()
    first = ansible_adhoc(moving_twin, "nova_live_migrate", dict(servers=["web-1"], target="compute-2", **FAST))
    assert first["changed"] is True, first
    (result,) = first["results"]
    assert (result["status"], result["source"], result["target"]) == ("completed", "compute-1", "compute-2")
    moved = server(conn, "web-1")
    assert moved.compute_host == "compute-2" and moved.status == "ACTIVE"
    assert migrations_of(conn, moved.id)[-1].status == "completed"
    again = ansible_adhoc(moving_twin, "nova_live_migrate", dict(servers=["web-1"], target="compute-2", **FAST))
    assert again["changed"] is False and again["results"] == []


def test_scheduler_chooses_the_target(moving_twin):
    result = run_module("nova_live_migrate", moving_twin, servers=["web-2"], **FAST)
    assert result["changed"] is True, result
    (entry,) = result["results"]
    assert entry["status"] == "completed" and entry["target"] not in (None, entry["source"])
    assert server(moving_twin.connect(), "web-2").compute_host == entry["target"]
    assert any("completed" in line for line in result["progress_log"])


def test_blocked_target_fails_with_reason_codes_before_any_write(moving_twin):
    conn = moving_twin.connect()
    service = next(conn.compute.services(binary="nova-compute", host="compute-2"))
    conn.compute.disable_service(service, disabled_reason="test: maintenance")
    try:
        result = run_module("nova_live_migrate", moving_twin, servers=["web-3"], target="compute-2", **FAST)
    finally:
        conn.compute.enable_service(service)
    assert result["failed"] is True
    assert "TARGET_UNAVAILABLE" in result["msg"]
    assert [reason["code"] for reason in result["reasons"]] == ["TARGET_UNAVAILABLE"]
    assert migrations_of(conn, server(conn, "web-3").id) == []


def test_stalled_migration_is_aborted_and_the_guest_stays_on_its_source(moving_twin):
    result = run_module("nova_live_migrate", moving_twin, servers=["busy-stall"], target="compute-2",
                        stall_timeout=2, on_stall="abort", **FAST)
    (entry,) = result["results"]
    assert result.get("failed") is not True, result
    assert (entry["status"], entry["failure"]["code"], entry["target"]) == ("aborted", "STALLED", "compute-1")
    conn = moving_twin.connect()
    guest = server(conn, "busy-stall")
    assert (guest.compute_host, guest.status) == ("compute-1", "ACTIVE")
    assert migrations_of(conn, guest.id)[-1].status == "cancelled"


def test_failing_migration_is_retried_elsewhere_then_reported_with_a_code(moving_twin):
    conn = moving_twin.connect()
    known = {m.id for m in migrations_of(conn, server(conn, "flaky").id)}
    result = run_module("nova_live_migrate", moving_twin, servers=["flaky"], max_attempts=2, **FAST)
    assert result["failed"] is True
    (entry,) = result["results"]
    assert entry["attempts"] == 2 and entry["status"] == "failed"
    assert entry["failure"]["code"] == "UNKNOWN" and entry["failure"]["next_step"]
    assert any("retrying on" in line for line in result["progress_log"])
    guest = server(conn, "flaky")
    assert (guest.compute_host, guest.status) == ("compute-1", "ACTIVE")
    tried = [m.dest_compute for m in migrations_of(conn, guest.id) if m.id not in known]
    assert len(tried) == 2 and len(set(tried)) == 2


def test_thirty_servers_of_one_host_in_one_call(moving_twin):
    """The must-show: one call empties compute-0 of 30 servers, concurrently, within capacity."""
    conn = moving_twin.connect()
    began = time.monotonic()
    result = run_module("nova_live_migrate", moving_twin, host="compute-0", max_per_source=3, poll_interval=0.25)
    # compute-0 holds only the bulk servers: other tests of this twin move their servers elsewhere.
    elapsed = time.monotonic() - began
    assert result.get("failed") is not True, result.get("msg")
    assert result["summary"]["by_status"] == {"completed": BULK}
    # Nova runs one live migration per source at a time (max_concurrent_live_migrations=1 in the twin),
    # so this is 30 of Nova's own ~1 s migrations in a row; our overhead must stay small beside that.
    assert elapsed < 30 * 3.0, result["progress_log"]
    servers = list(conn.compute.servers(details=True, all_projects=True))
    bulk = [s for s in servers if s.name.startswith("bulk-")]
    assert len(bulk) == BULK
    assert all(s.status == "ACTIVE" and s.compute_host not in (None, "compute-0") for s in bulk)
    assert [m.status for s in bulk for m in migrations_of(conn, s.id)] == ["completed"] * BULK
    # Nova queues a source's moves in the order they reach its compute, after checking each. The
    # module sends the first max_per_source at once (its own limit: their order in Nova's queue is
    # Nova's); every later one only once those before it are in line, so Nova runs them as handed.
    handed = [move["instance"] for move in sorted(result["results"], key=lambda move: move["started_at"])]
    ran = [item["server"] for item in moving_twin.control("GET", "/transfers")["transfers"] if item["server"] in handed]
    assert sorted(ran[:3]) == sorted(handed[:3]) and ran[3:] == handed[3:]
    for provider in conn.placement.resource_providers():
        inventories = {inv.resource_class: inv for inv in conn.placement.resource_provider_inventories(provider)}
        usages = conn.placement.get("/resource_providers/%s/usages" % provider.id).json()["usages"]
        for resource_class, used in usages.items():
            inv = inventories[resource_class]
            assert used <= (inv.total - inv.reserved) * inv.allocation_ratio, (provider.name, resource_class)
