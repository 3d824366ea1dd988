"""kubevirt_migrate against the kube twin: the real kubernetes client, the real module, Ansible's way of running it."""
import json
import os
import subprocess
import threading
from collections import Counter

import pytest
from kubernetes import client

from tests.integration.plugins.modules.kubevirt_runner import (
    COLLECTIONS, NS, custom, node_of, run_module, twin, vmims, vmis_on,  # noqa: F401 (fixtures)
)

FAST = {"poll_interval": 0.1}
FINAL = ("Succeeded", "Failed")
ACTIVE = ("Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running")


def ansible_adhoc(twin, module, args):
    """`ansible localhost -m vmops.migration.<module> -a JSON`, connected through K8S_AUTH_* variables."""
    env = dict(os.environ, K8S_AUTH_KUBECONFIG=twin.kubeconfig, K8S_AUTH_CONTEXT="twin-admin",
               ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, ANSIBLE_STDOUT_CALLBACK="ansible.builtin.minimal",
               ANSIBLE_LOCALHOST_WARNING="0")
    done = subprocess.run(["ansible", "localhost", "-m", "vmops.migration." + module, "-a", json.dumps(args)],
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    # minimal prints "localhost | CHANGED => {...}"
    return json.loads(done.stdout.split("=>", 1)[1])


class Peaks:
    """Looks at the VMIMs every few milliseconds while a module runs: the most that existed
    unfinished, and ran, at once (also per source node). Call `done()` when the module returned."""

    def __init__(self, custom, source_of):
        self.custom, self.source_of = custom, source_of
        self.unfinished = self.active = 0
        self.per_node = Counter()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._observe, daemon=True)
        self.thread.start()

    def _observe(self):
        while not self.stop.wait(0.02):
            phases = {vmim["spec"]["vmiName"]: vmim.get("status", {}).get("phase") for vmim in vmims(self.custom)}
            self.unfinished = max(self.unfinished, sum(1 for phase in phases.values() if phase not in FINAL))
            running = [vmi for vmi, phase in phases.items() if phase in ACTIVE]
            self.active = max(self.active, len(running))
            for node, count in Counter(self.source_of[vmi] for vmi in running).items():
                self.per_node[node] = max(self.per_node[node], count)

    def done(self):
        self.stop.set()
        self.thread.join(5)


def source_of_fleet(name):
    return "node-" + name.split("-")[1]


def test_check_mode_plans_and_creates_nothing(twin, custom):
    result = run_module("kubevirt_migrate", twin, check_mode=True, diff=True, name=["vm-01-01"], target_node="node-03")
    assert result["changed"] is True, result
    assert result["results"] == [{"instance": "default/vm-01-01", "name": "vm-01-01", "source": "node-01",
                                  "target": "node-03", "type": "live", "status": "planned"}]
    assert result["diff"]["after"]["placement"] == {"default/vm-01-01": "node-03"}
    assert vmims(custom) == [] and node_of(custom, "vm-01-01") == "node-01"


def test_migrates_to_the_target_then_second_run_changes_nothing(twin, custom):
    first = ansible_adhoc(twin, "kubevirt_migrate", dict(name=["vm-01-01"], target_node="node-03", **FAST))
    assert first["changed"] is True, first
    (result,) = first["results"]
    assert (result["status"], result["source"], result["target"], result["phase"]) == (
        "completed", "node-01", "node-03", "Succeeded")
    assert set(result["phase_timestamps"]) >= {"Pending", "Running", "Succeeded"} and result["seconds"] > 0
    (vmim,) = vmims(custom)
    assert vmim["spec"]["addedNodeSelector"] == {"kubernetes.io/hostname": "node-03"}
    assert node_of(custom, "vm-01-01") == "node-03"
    again = ansible_adhoc(twin, "kubevirt_migrate", dict(name=["vm-01-01"], target_node="node-03", **FAST))
    assert again["changed"] is False and again["results"] == [] and again["already_done"] == ["default/vm-01-01"]
    assert len(vmims(custom)) == 1


def test_scheduler_choice_is_not_repeated_for_the_same_request(twin, custom):
    first = run_module("kubevirt_migrate", twin, name=["default/vm-02-01"], **FAST)
    assert first["changed"] is True and first["results"][0]["status"] == "completed", first
    moved_to = node_of(custom, "vm-02-01")
    assert moved_to not in ("node-02", None) and first["results"][0]["target"] == moved_to
    again = run_module("kubevirt_migrate", twin, name=["default/vm-02-01"], **FAST)
    assert again["changed"] is False and len(vmims(custom)) == 1
    other_request = run_module("kubevirt_migrate", twin, name=["default/vm-02-01"], request_id="second", **FAST)
    assert other_request["changed"] is True and len(vmims(custom)) == 2


def test_blocked_vmis_fail_with_every_reason_before_any_write(twin, custom):
    result = run_module("kubevirt_migrate", twin, name=["vm-01-12", "vm-02-12", "vm-03-12", "vm-01-01"],
                        target_node="node-04", **FAST)
    assert result.get("failed") is True, result
    codes = {(entry["instance"], reason["code"]) for entry in result["blocked"] for reason in entry["reasons"]
             if reason["severity"] == "block"}
    assert codes == {("default/vm-01-12", "KV_NOT_LIVE_MIGRATABLE"), ("default/vm-01-12", "KV_STORAGE_NOT_RWX"),
                     ("default/vm-02-12", "KV_NOT_LIVE_MIGRATABLE"), ("default/vm-03-12", "KV_NOT_LIVE_MIGRATABLE")}
    assert "InterfaceNotLiveMigratable" in json.dumps(result["blocked"])
    assert "3 of 4" in result["msg"] and vmims(custom) == []


def test_unschedulable_target_and_full_target_are_rejected(twin, custom):
    core = client.CoreV1Api(twin.api_client())
    core.patch_node("node-04", {"spec": {"unschedulable": True}}, _content_type="application/merge-patch+json")
    result = run_module("kubevirt_migrate", twin, name=["vm-01-01"], target_node="node-04", **FAST)
    assert result.get("failed") is True
    assert [r["code"] for r in result["reasons"] if r["severity"] == "block"] == ["TARGET_UNAVAILABLE"]
    core.patch_node_status("node-03", {"status": {"allocatable": {"memory": "20Gi"}}},
                    _content_type="application/merge-patch+json")
    full = run_module("kubevirt_migrate", twin, name=["vm-01-01"], target_node="node-03", **FAST)
    assert [r["code"] for r in full["reasons"] if r["severity"] == "block"] == ["KV_INSUFFICIENT_MEMORY"], full
    assert vmims(custom) == []


def test_viewer_is_refused_before_any_write(twin, custom):
    result = run_module("kubevirt_migrate", twin, user="viewer", name=["vm-01-01"], **FAST)
    assert result.get("failed") is True, result
    assert {r["code"] for r in result["reasons"]} >= {"KV_NOT_AUTHORIZED"}
    assert vmims(custom) == []
    skipping = run_module("kubevirt_migrate", twin, user="viewer", node="node-01", skip_blocked=True, **FAST)
    assert skipping.get("failed") is True and vmims(custom) == []


def test_seven_migrations_stay_within_kubevirt_limits(twin, custom):
    wanted = ["vm-01-01", "vm-01-02", "vm-01-03", "vm-02-01", "vm-02-02", "vm-03-01", "vm-03-02"]
    twin.set_time_factor(5)
    peaks = Peaks(custom, {name: source_of_fleet(name) for name in wanted})
    result = run_module("kubevirt_migrate", twin, name=wanted, **FAST)
    peaks.done()
    assert result["summary"]["by_status"] == {"completed": 7}, result
    assert peaks.active == 5 and peaks.unfinished == 5
    assert max(peaks.per_node.values()) == 2 and peaks.per_node["node-01"] == 2
    assert all(node_of(custom, name) != source_of_fleet(name) for name in wanted)


def test_draining_all_twelve_vmis_of_a_node_never_exceeds_the_limits(twin, custom):
    before = vmis_on(custom, "node-01")
    assert len(before) == 12
    twin.set_time_factor(10)
    peaks = Peaks(custom, {name: source_of_fleet(name) for name in before})
    result = run_module("kubevirt_migrate", twin, node="node-01", skip_blocked=True, **FAST)
    peaks.done()
    assert result["changed"] is True and result["summary"]["by_status"] == {"completed": 11}, result
    assert [entry["instance"] for entry in result["blocked"]] == ["default/vm-01-12"]
    assert peaks.per_node["node-01"] == 2 and peaks.unfinished <= 2 and peaks.active <= 5
    assert vmis_on(custom, "node-01") == ["vm-01-12"]
    again = run_module("kubevirt_migrate", twin, node="node-01", skip_blocked=True, **FAST)
    assert again["changed"] is False and again["results"] == []


def test_timeout_cancels_our_migration_and_leaves_the_vmi_on_its_source(twin, custom):
    twin.set_dirty_rate(NS, "vm-01-02", 5000)  # dirties memory faster than any link copies it
    result = run_module("kubevirt_migrate", twin, name=["vm-01-02"], migration_timeout=1.0, **FAST)
    assert result.get("failed") is True, result
    (entry,) = result["results"]
    assert (entry["status"], entry["failure"]["code"], entry["target"]) == ("failed", "TIMEOUT", "node-01")
    assert node_of(custom, "vm-01-02") == "node-01"
    assert all(vmim["status"]["phase"] == "Failed" for vmim in vmims(custom))


@pytest.fixture(scope="module")
def migratable_twin(tmp_path_factory):
    """A twin whose node-01 holds twelve VMIs that can all live-migrate."""
    from tests.fixtures.kube_twin import start_twin

    folder = tmp_path_factory.mktemp("kube-all-migratable")
    nodes = [{"name": "node-%02d" % n, "memory": "256Gi"} for n in range(1, 5)]
    vms = [{"name": "vm-01-%02d" % i, "node": "node-01", "memory": "%dGi" % (1 + i % 3), "dirtyMibps": 5 * (i % 4)}
           for i in range(1, 13)]
    fleet = folder / "fleet.json"
    fleet.write_text(json.dumps({"nodes": nodes, "vms": vms}))
    started = start_twin(folder, "--fleet", str(fleet), "--time-factor", "10")
    yield started
    started.stop()


def test_all_twelve_vmis_of_a_node_leave_it_in_one_call_within_the_limits(migratable_twin):
    custom_api = client.CustomObjectsApi(migratable_twin.api_client())
    before = vmis_on(custom_api, "node-01")
    assert len(before) == 12
    peaks = Peaks(custom_api, dict.fromkeys(before, "node-01"))
    result = run_module("kubevirt_migrate", migratable_twin, node="node-01", **FAST)
    peaks.done()
    assert result["summary"]["by_status"] == {"completed": 12}, result
    assert peaks.per_node["node-01"] == 2 and peaks.active <= 5
    assert vmis_on(custom_api, "node-01") == []
