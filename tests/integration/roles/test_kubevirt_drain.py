"""playbooks/drain_kubevirt_node.yml (role kubevirt_drain) against the kube twin, with ansible-playbook."""
import json
import os
import subprocess

from kubernetes import client

from tests.integration.plugins.modules.kubevirt_runner import (  # noqa: F401 (fixtures)
    COLLECTIONS, custom, twin, vmims, vmis_on,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PLAYBOOK = os.path.join(ROOT, "playbooks", "drain_kubevirt_node.yml")


def drain(twin, report_dir, **extra):
    """ansible-playbook over the twin; (return code, recap line of localhost, output)."""
    variables = dict({"kubevirt_node": "node-01", "vmops_kubeconfig": twin.kubeconfig,
                      "vmops_kube_context": "twin-admin", "kubevirt_drain_poll_interval": 0.1}, **extra)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, VMOPS_REPORT_DIR=str(report_dir),
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    done = subprocess.run(["ansible-playbook", PLAYBOOK, "-e", json.dumps(variables)], capture_output=True, text=True,
                          env=env, timeout=300, check=False)
    recap = [line for line in done.stdout.splitlines() if line.startswith("localhost") and "ok=" in line]
    return done.returncode, recap[-1] if recap else "", done.stdout + done.stderr


def test_a_blocked_livemigrate_vmi_stops_the_drain_before_any_write(twin, custom, tmp_path):
    code, unused_recap, output = drain(twin, tmp_path)
    assert code != 0 and "default/vm-01-12" in output and "KV_NOT_LIVE_MIGRATABLE" in output, output
    assert not client.CoreV1Api(twin.api_client()).read_node("node-01").spec.unschedulable
    assert vmims(custom) == []


def test_drain_empties_and_cordons_the_node_then_reruns_change_nothing(twin, custom, tmp_path):
    twin.set_time_factor(20)
    code, recap, output = drain(twin, tmp_path, kubevirt_drain_allow_blocked=True)
    assert code == 0, output
    assert vmis_on(custom, "node-01") == ["vm-01-12"]  # the one VMI that cannot live-migrate, reported
    assert client.CoreV1Api(twin.api_client()).read_node("node-01").spec.unschedulable is True
    (markdown,) = tmp_path.glob("kubevirt-drain-*-report.md")
    assert "vm-01-01" in markdown.read_text() and "vm-01-12" in markdown.read_text()
    report = json.loads(next(tmp_path.glob("kubevirt-drain-*-report.json")).read_text())
    assert report["totals"]["by_result"].get("completed") == 11, report["totals"]
    code, recap, output = drain(twin, tmp_path, kubevirt_drain_allow_blocked=True)
    assert code == 0 and "changed=0" in recap, output
    code, recap, output = drain(twin, tmp_path, undrain=True)
    assert code == 0 and "changed=1" in recap, output
    assert not client.CoreV1Api(twin.api_client()).read_node("node-01").spec.unschedulable
