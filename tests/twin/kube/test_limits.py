"""parallelMigrationsPerCluster (5) and parallelOutboundMigrationsPerNode (2): the rest wait Pending."""
import threading
from collections import Counter

from kubernetes import watch

from .conftest import GROUP, NS, VERSION, VMIMS, migrate, wait_phase

ACTIVE = {"Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running"}
# Three from node-01 (one must wait for the per-node limit), two each from node-02 and node-03.
VMIS = {"vm-01-01": "node-01", "vm-01-02": "node-01", "vm-01-03": "node-01",
        "vm-02-01": "node-02", "vm-02-02": "node-02", "vm-03-01": "node-03", "vm-03-02": "node-03"}


def test_seven_migrations_respect_the_limits(custom, twin):
    start = custom.list_namespaced_custom_object(GROUP, VERSION, NS, VMIMS)["metadata"][
        "resourceVersion"]
    peaks = {"cluster": 0, "node": Counter()}

    def observe():
        phase, source = {}, {}
        for event in watch.Watch().stream(custom.list_namespaced_custom_object, GROUP, VERSION,
                                          NS, VMIMS, resource_version=start, timeout_seconds=30):
            obj = event["object"]
            phase[obj["metadata"]["name"]] = obj.get("status", {}).get("phase")
            source[obj["metadata"]["name"]] = VMIS[obj["spec"]["vmiName"]]
            active = [n for n, p in phase.items() if p in ACTIVE]
            peaks["cluster"] = max(peaks["cluster"], len(active))
            for node, count in Counter(source[n] for n in active).items():
                peaks["node"][node] = max(peaks["node"][node], count)
            if len(phase) == len(VMIS) and all(p == "Succeeded" for p in phase.values()):
                return

    twin.set_time_factor(5)  # slow enough that all seven overlap
    try:
        watcher = threading.Thread(target=observe)
        watcher.start()
        made = [migrate(custom, vmi) for vmi in VMIS]
        for m in made:
            wait_phase(custom, m["metadata"]["name"], "Succeeded", timeout=30)
        watcher.join(30)
    finally:
        twin.set_time_factor(50)
    assert peaks["cluster"] == 5
    assert max(peaks["node"].values()) == 2 and peaks["node"]["node-01"] == 2
