"""kubectl against the twin, HTTPS verification, and the up/down command line."""
import json
import shutil
import subprocess
import sys
import time

import pytest
import urllib3
from kubernetes import client, config

from tests.fixtures.kube_twin import ROOT

from .conftest import migrate, wait_phase

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")


def kubectl(twin, tmp_path, *args, context=None):
    cmd = [KUBECTL, "--kubeconfig", twin.kubeconfig, "--cache-dir", str(tmp_path / "cache")]
    if context:
        cmd += ["--context", context]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=60)


@needs_kubectl
def test_kubectl_create_and_get(twin, custom, tmp_path):
    manifest = tmp_path / "vmim.json"
    manifest.write_text(json.dumps({
        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstanceMigration",
        "metadata": {"name": "by-kubectl", "namespace": "default"},
        "spec": {"vmiName": "vm-01-01"}}))
    out = kubectl(twin, tmp_path, "create", "-f", str(manifest), context="twin-viewer")
    assert out.returncode != 0 and "forbidden" in out.stderr
    out = kubectl(twin, tmp_path, "create", "-f", str(manifest))
    assert out.returncode == 0, out.stderr
    wait_phase(custom, "by-kubectl", "Succeeded")
    out = kubectl(twin, tmp_path, "get", "vmim", "-A", "-o", "json")
    assert out.returncode == 0, out.stderr
    items = json.loads(out.stdout)["items"]
    assert [(i["metadata"]["name"], i["status"]["phase"]) for i in items] == [
        ("by-kubectl", "Succeeded")]
    out = kubectl(twin, tmp_path, "get", "vmi")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[0].split() == ["NAME", "PHASE", "NODENAME", "AGE"]
    assert len(out.stdout.strip().split("\n")) == 1 + 48
    out = kubectl(twin, tmp_path, "auth", "can-i", "create", "vmim", context="twin-viewer")
    assert out.stdout.strip() == "no"


@needs_kubectl
def test_kubectl_get_watch(twin, custom, tmp_path):
    proc = subprocess.Popen([KUBECTL, "--kubeconfig", twin.kubeconfig, "--cache-dir",
                             str(tmp_path / "cache"), "get", "vmi", "vm-02-01", "-w"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)  # kubectl lists, then watches
        made = migrate(custom, "vm-02-01")
        wait_phase(custom, made["metadata"]["name"], "Succeeded")
        time.sleep(1)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    lines = [line.split() for line in out.strip().split("\n")]
    assert lines[0][:3] == ["NAME", "PHASE", "NODENAME"], err
    assert lines[1][:3] == ["vm-02-01", "Running", "node-02"]
    assert lines[-1][2] != "node-02"  # the watch saw the move


def test_tls_needs_the_ca(kube_twin):
    assert kube_twin.url.startswith("https://")
    assert client.VersionApi(kube_twin.api_client()).get_code().git_version
    untrusting = kube_twin.api_client(ca=False)
    untrusting.configuration.retries = 0
    with pytest.raises(urllib3.exceptions.HTTPError) as err:
        client.CoreV1Api(untrusting).list_node()
    assert "CERTIFICATE_VERIFY_FAILED" in str(err.value)


def test_command_line_with_a_fleet_file(tmp_path):
    fleet = {"nodes": [{"name": "a", "memory": "8Gi"}, {"name": "b", "memory": "8Gi"}],
             "vms": [{"name": "solo", "namespace": "apps", "node": "a", "memory": "1Gi"}],
             "migrations": {"parallelMigrationsPerCluster": 1}}
    (tmp_path / "fleet.json").write_text(json.dumps(fleet))
    up = subprocess.run([sys.executable, "-m", "twin.kube", "up", "--state-dir", str(tmp_path),
                         "--fleet", str(tmp_path / "fleet.json"), "--time-factor", "100",
                         "--detach"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert up.returncode == 0, up.stderr
    try:
        assert up.stdout.strip().startswith("http://127.0.0.1:")
        api = config.new_client_from_config(str(tmp_path / "kubeconfig"), context="twin-viewer")
        vmis = client.CustomObjectsApi(api).list_namespaced_custom_object(
            "kubevirt.io", "v1", "apps", "virtualmachineinstances")["items"]
        assert [(v["metadata"]["name"], v["status"]["nodeName"]) for v in vmis] == [("solo", "a")]
        kv = client.CustomObjectsApi(api).list_cluster_custom_object(
            "kubevirt.io", "v1", "kubevirts")["items"][0]
        assert kv["spec"]["configuration"]["migrations"]["parallelMigrationsPerCluster"] == 1
    finally:
        down = subprocess.run([sys.executable, "-m", "twin.kube", "down", "--state-dir",
                               str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert down.returncode == 0 and not (tmp_path / "twin.json").exists()
