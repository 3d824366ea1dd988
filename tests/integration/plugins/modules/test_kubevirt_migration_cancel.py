"""kubevirt_migration_cancel and kubevirt_migration_info against the kube twin."""
from tests.integration.plugins.modules.kubevirt_runner import (  # noqa: F401 (fixtures)
    NS, custom, node_of, run_module, twin, vmims,
)


def test_cancel_stops_a_running_migration_once_and_info_shows_it(twin, custom):
    twin.set_dirty_rate(NS, "vm-01-02", 5000)  # never converges: stays running until cancelled
    twin.set_time_factor(2)  # so that KubeVirt's own progress timeout does not end it first
    started = run_module("kubevirt_migrate", twin, name=["vm-01-02"], wait=False, poll_interval=0.1)
    assert started["results"][0]["status"] == "in_progress", started
    (entry,) = run_module("kubevirt_migration_info", twin, vmi="vm-01-02", in_flight=True)["migrations"]
    assert (entry["name"], entry["managed"], entry["abort_requested"]) == (
        started["results"][0]["migration_id"], True, False)
    planned = run_module("kubevirt_migration_cancel", twin, check_mode=True, vmi="vm-01-02")
    assert planned["changed"] is True and vmims(custom)[0]["status"]["phase"] != "Failed"
    cancelled = run_module("kubevirt_migration_cancel", twin, vmi="default/vm-01-02", poll_interval=0.1)
    assert cancelled["changed"] is True and cancelled["node"] == "node-01", cancelled
    assert [entry["name"] for entry in cancelled["cancelled"]] == [started["results"][0]["migration_id"]]
    assert node_of(custom, "vm-01-02") == "node-01"
    again = run_module("kubevirt_migration_cancel", twin, vmi="vm-01-02")
    assert again["changed"] is False and again["cancelled"] == []
    # KubeVirt's finalizer let the cancelled VMIM go once the copy stopped.
    assert run_module("kubevirt_migration_info", twin, vmi="vm-01-02")["migrations"] == []


def test_viewer_cannot_cancel(twin, custom):
    twin.set_time_factor(1)  # keep it running while the viewer tries
    started = run_module("kubevirt_migrate", twin, name=["vm-02-03"], wait=False, poll_interval=0.1)
    assert started["changed"] is True
    refused = run_module("kubevirt_migration_cancel", twin, user="viewer", vmi="vm-02-03")
    assert refused.get("failed") is True and refused["status"] == 403, refused
    assert "forbidden" in refused["msg"]
