"""Secrets and TLS: credentials never show in output or reports, certificates are checked by default,
and a KubeVirt token without migrate rights is stopped before any write.

The Nova twin here serves HTTPS (``up --tls``) and accepts any password, application-credential
secret or token but the refused ones (twin/nova/identity.py); the KubeVirt twin serves HTTPS too.
"""
import json
import os
import subprocess

import pytest

from tests.fixtures.nova_twin import started_twin
from tests.integration.plugins.modules import kubevirt_runner, nova_module_runner
from tests.reliability.credentials import application_credential_auth, cloud_without_auth, password_auth, token_auth
from tests.reliability.unchanged import kube_state
from twin.nova import launcher

# Playbook runs on twins of their own: minutes that CI leaves to the full suite (./run.sh reliability).
pytestmark = pytest.mark.full

ROOT = launcher.ROOT
# Distinctive values: any of them in any output or report is a leak.
SECRETS = {"password": "pw-Quokka-7781-secret", "application_credential_secret": "ac-Narwhal-5521-secret",
           "token": "tk-Axolotl-2719-secret"}


def fleet():
    servers = [{"name": "app-%d" % i, "flavor": "t1.small", "host": "compute-1"} for i in range(2)]
    return {"hosts": [{"name": "compute-%d" % i} for i in range(3)], "servers": servers}


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    folder = tmp_path_factory.mktemp("secrets-twin")
    fleet_file = folder / "fleet.json"
    fleet_file.write_text(json.dumps(fleet()), encoding="utf-8")
    with started_twin(["--tls", "--config", str(fleet_file), "--time-factor", "50"], timeout=300) as nova:
        yield nova


# --- TLS ---------------------------------------------------------------------------------------

def nova_facts(request, tls):
    twin = request.getfixturevalue("twin")
    tls = {key: twin.ca_cert if value == "CA" else value for key, value in tls.items()}
    return nova_module_runner.run_module("nova_cluster_facts", twin, **tls)


def kubevirt_info(request, tls):
    """kubevirt_migration_info given host and api_key (the kubeconfig would bring its own CA)."""
    kube = request.getfixturevalue("kube_twin")
    tls = {key: kube.ca if value == "CA" else value for key, value in tls.items()}
    return kubevirt_runner.run_module("kubevirt_migration_info", kube, via=dict(tls, host=kube.url, api_key=kube.admin_token))


@pytest.mark.parametrize("call", [nova_facts, kubevirt_info], ids=["nova", "kubevirt"])
@pytest.mark.parametrize("tls, works", [
    ({}, False),
    ({"ca_cert": "CA"}, True),
    ({"validate_certs": False}, True),
], ids=["verified by default", "ca_cert given", "validate_certs false"])
def test_modules_check_certificates_unless_given_the_ca_or_told_not_to(request, call, tls, works):
    result = call(request, tls)
    if works:
        assert not result.get("failed"), result
    else:
        assert result.get("failed")
        assert "certificate" in result["msg"] and "ca_cert" in result["msg"] and "validate_certs" in result["msg"], result


# --- secrets -----------------------------------------------------------------------------------

NOVA_PLAYBOOK = """
- name: Drain with a password
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/vmops.migration.nova:
      cloud: "{{ nova_cloud }}"
      auth_type: "{{ nova_password.auth_type }}"
      auth: "{{ nova_password.auth }}"
  tasks:
    - name: Drain compute-1
      ansible.builtin.include_role:
        name: vmops.migration.drain_node
      vars:
        drain_node_hosts: [compute-1]
        drain_node_poll_interval: 0.5
        drain_node_gather_host_facts: false

- name: Read with an application credential, then with a token
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/vmops.migration.nova:
      cloud: "{{ nova_cloud }}"
      hosts: [compute-1]
  tasks:
    # Not a loop: Ansible shows a loop's items at -vvvv, whatever the module masks.
    - name: Cluster facts with an application credential
      vmops.migration.nova_cluster_facts:
        auth_type: "{{ nova_application_credential.auth_type }}"
        auth: "{{ nova_application_credential.auth }}"
    - name: Cluster facts with a token
      vmops.migration.nova_cluster_facts:
        auth_type: "{{ nova_token.auth_type }}"
        auth: "{{ nova_token.auth }}"
"""


def run_playbook(path, variables, env):
    command = ["ansible-playbook", "-vvvv", str(path), "-e", "@" + str(variables)]
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "playbooks", "ansible.cfg"), ANSIBLE_NOCOLOR="1", **env)
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600, check=False)
    return done.returncode, done.stdout + done.stderr


def leaks(texts, secrets):
    """{where: [secret values found there]}."""
    found = {where: [secret for secret in secrets if secret in text] for where, text in texts.items()}
    return {where: values for where, values in found.items() if values}


def written_files(folder):
    return {str(path): path.read_text(encoding="utf-8", errors="replace") for path in folder.rglob("*") if path.is_file()}


def on_compute_1(twin):
    return {s.name for s in twin.conn.compute.servers(all_projects=True) if s.compute_host == "compute-1"}


def test_nova_secrets_never_show_at_vvvv_nor_in_reports(twin, tmp_path, ledger):
    variables = tmp_path / "credentials.json"
    variables.write_text(json.dumps({
        "nova_cloud": dict(cloud_without_auth(twin), cacert=twin.ca_cert),
        "nova_password": password_auth(twin, SECRETS["password"]),
        "nova_application_credential": application_credential_auth(twin, SECRETS["application_credential_secret"]),
        "nova_token": token_auth(twin, SECRETS["token"]),
    }), encoding="utf-8")
    playbook = tmp_path / "drain_with_credentials.yml"
    playbook.write_text(NOVA_PLAYBOOK, encoding="utf-8")
    reports, progress = tmp_path / "reports", tmp_path / "progress.log"
    before = on_compute_1(twin)
    assert before == {"app-0", "app-1"}

    code, output = run_playbook(playbook, variables, {"VMOPS_REPORT_DIR": str(reports),
                                                      "VMOPS_PROGRESS_FILE": str(progress)})

    assert code == 0, output[-3000:]
    moved = sorted(before - on_compute_1(twin))
    ledger.record("Secrets in output and reports (Nova, -vvvv)", migrations=len(moved), faults=0, lost=0,
                  in_error=0, duplicates=0)
    assert sorted(moved) == sorted(before)  # the credentials worked: the drain moved every server
    files = written_files(reports)
    assert any(name.endswith(".json") for name in files) and any(name.endswith(".md") for name in files)
    assert any(name.endswith(".html") for name in files) and progress.exists()
    texts = dict(files, output=output, progress=progress.read_text(encoding="utf-8"))
    assert leaks(texts, SECRETS.values()) == {}


KUBE_PLAYBOOK = """
- name: Drain a KubeVirt node with a kubeconfig given as content, then read with a bearer token
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Drain
      module_defaults:
        group/vmops.migration.kubevirt:
          kubeconfig: "{{ kube_config }}"
          context: twin-admin
      block:
        - name: Drain node-03
          ansible.builtin.include_role:
            name: vmops.migration.kubevirt_drain
          vars:
            kubevirt_drain_node: node-03
            kubevirt_drain_allow_blocked: true
            kubevirt_drain_poll_interval: 0.5
    - name: Read with a bearer token
      vmops.migration.kubevirt_migration_info:
        host: "{{ kube_host }}"
        api_key: "{{ kube_token }}"
        ca_cert: "{{ kube_ca }}"
"""


@pytest.mark.full  # a whole KubeVirt node drain at -vvvv: minutes on a busy machine
def test_kubeconfig_contents_and_tokens_never_show_at_vvvv_nor_in_reports(kube_twin, tmp_path, ledger):
    kube_twin.reset()
    with open(kube_twin.kubeconfig, encoding="utf-8") as handle:
        kube_config = json.load(handle)
    variables = tmp_path / "credentials.json"
    variables.write_text(json.dumps({"kube_config": kube_config, "kube_host": kube_twin.url,
                                     "kube_token": kube_twin.admin_token, "kube_ca": kube_twin.ca}), encoding="utf-8")
    playbook = tmp_path / "kubevirt_drain_with_credentials.yml"
    playbook.write_text(KUBE_PLAYBOOK, encoding="utf-8")
    reports = tmp_path / "reports"
    before = kube_state(kube_twin)

    code, output = run_playbook(playbook, variables, {"VMOPS_REPORT_DIR": str(reports)})

    assert code == 0, output[-3000:]
    after = kube_state(kube_twin)
    moved = [name for name, node in before["vmis"].items() if node == "node-03" and after["vmis"][name] != "node-03"]
    ledger.record("Secrets in output and reports (KubeVirt, -vvvv)", migrations=len(moved), faults=0,
                  lost=len(set(before["vmis"]) - set(after["vmis"])), in_error=0, duplicates=0)
    assert moved
    secrets = set(kube_twin.tokens.values())
    texts = dict(written_files(reports), output=output)
    assert any(name.endswith(".json") for name in texts)
    assert leaks(texts, secrets) == {}


# --- KubeVirt rights ---------------------------------------------------------------------------

def test_kubevirt_drain_without_migrate_rights_stops_with_kv_not_authorized_before_any_write(kube_twin, tmp_path,
                                                                                               ledger):
    kube_twin.reset()
    before = kube_state(kube_twin)
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "playbooks", "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               VMOPS_REPORT_DIR=str(tmp_path))
    command = ["ansible-playbook", os.path.join(ROOT, "playbooks", "drain_kubevirt_node.yml"), "-e",
               json.dumps({"kubevirt_node": "node-02", "vmops_kubeconfig": kube_twin.kubeconfig,
                           "vmops_kube_context": "twin-viewer"})]
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=600, check=False)
    after = kube_state(kube_twin)
    ledger.record("KubeVirt token without migrate rights", migrations=after["migrations"] - before["migrations"],
                  faults=0, lost=len(set(before["vmis"]) - set(after["vmis"])), in_error=0, duplicates=0)
    assert done.returncode != 0
    assert "KV_NOT_AUTHORIZED" in done.stdout + done.stderr
    assert after == before
