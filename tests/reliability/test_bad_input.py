"""Bad input: each row of one table is a call (module, filter or playbook) with one thing wrong.

Every call must fail with an error that names the wrong parameter, and a call against a twin
must leave the twin as it found it: servers' host/status/task state, compute services'
status/disabled reason/forced down, the migration records and the live-migrate POST count (Nova);
VMIs' nodes, migrations, nodes' schedulability and the migration config (KubeVirt).

The Nova twin has compute-0, compute-2, compute-3 (disabled by someone else) and compute-10, and
no compute-1: a name matched by prefix would reach compute-10.
"""
import json
import os
import re
import subprocess
import tempfile
from types import SimpleNamespace

import pytest

from tests.fixtures.nova_twin import started_twin
from tests.integration.plugins.modules import kubevirt_runner, nova_module_runner
from tests.reliability.credentials import cloud_without_auth, password_auth, token_auth
from tests.reliability.unchanged import kube_state, nova_state
from tests.unit import clusters
from twin.nova import launcher

# Playbook runs on twins of their own: minutes that CI leaves to the full suite (./run.sh reliability).
pytestmark = pytest.mark.full

ROOT = launcher.ROOT
BOGUS_UUID = "00000000-0000-4000-8000-000000000000"
HOSTS = ("compute-0", "compute-2", "compute-3", "compute-10")
OTHERS_REASON = "hardware check by the facilities team"


def fleet():
    servers = [{"name": "web-0", "flavor": "t1.small", "host": "compute-0"},
               {"name": "web-10", "flavor": "t1.small", "host": "compute-10"},
               {"name": "db-2", "flavor": "t1.small", "host": "compute-2"}]
    return {"hosts": [{"name": name} for name in HOSTS], "servers": servers}


@pytest.fixture(scope="module")
def twin():
    """The Nova twin above, with compute-3 disabled by someone else and one finished live migration
    (web-0's, compute-0 → compute-2 and back) whose id belongs to web-0 only."""
    with tempfile.TemporaryDirectory(prefix="vmops-bad-input-") as folder:
        fleet_file = os.path.join(folder, "fleet.json")
        with open(fleet_file, "w", encoding="utf-8") as handle:
            json.dump(fleet(), handle)
        with started_twin(["--config", fleet_file, "--time-factor", "50"], timeout=300) as nova:
            service = next(s for s in nova.conn.compute.services(binary="nova-compute") if s.host == "compute-3")
            nova.conn.compute.disable_service(service, "compute-3", "nova-compute", disabled_reason=OTHERS_REASON)
            web_0 = nova.conn.compute.find_server("web-0", all_projects=True)
            nova.conn.compute.live_migrate_server(web_0, host="compute-2", block_migration="auto")
            nova.info["web_0_migration"] = str(nova.wait_migration(web_0.id).id)
            nova.info["web_0"] = web_0.id
            yield nova


# --- the calls ---------------------------------------------------------------------------------

def nova(module, build=None, cloud=None, **args):
    """A Nova module call; ``build(twin)`` adds arguments only known once the twin runs, ``cloud(twin)``
    replaces the twin's cloud."""
    def call(nova_twin):
        extra = build(nova_twin) if build else {}
        where = SimpleNamespace(cloud=cloud(nova_twin), clouds_yaml=nova_twin.clouds_yaml) if cloud else nova_twin
        return nova_module_runner.run_module(module, where, **dict(args, **extra))
    call.twin = "nova"
    return call


def kube(module, **args):
    def call(kube_twin):
        return kubevirt_runner.run_module(module, kube_twin, **args)
    call.twin = "kube"
    return call


def a_filter(name, *args, **kwargs):
    """A filter of plugins/filter/migration.py; its error becomes a failed result."""
    def call(_twin):
        from ansible.errors import AnsibleFilterError

        from ansible_collections.vmops.migration.plugins.filter.migration import FilterModule

        try:
            FilterModule().filters()[name](*args, **kwargs)
        except AnsibleFilterError as error:
            return {"failed": True, "msg": str(error)}
        return {"failed": False}
    call.twin = None
    return call


def playbook(name, build=None, **extra_vars):
    """ansible-playbook playbooks/<name> against the Nova twin, with extra vars as JSON; ``build(twin)``
    adds extra vars only known once the twin runs."""
    def call(nova_twin):
        extra_vars.update(build(nova_twin) if build else {})
        env = dict(os.environ, OS_CLIENT_CONFIG_FILE=nova_twin.clouds_yaml, ANSIBLE_NOCOLOR="1",
                   ANSIBLE_CONFIG=os.path.join(ROOT, "playbooks", "ansible.cfg"),
                   VMOPS_REPORT_DIR=os.path.join(nova_twin.state_dir, "reports"))
        command = ["ansible-playbook", os.path.join(ROOT, "playbooks", name),
                   "-e", json.dumps(dict({"vmops_cloud": nova_twin.cloud}, **extra_vars))]
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False)
        return {"failed": done.returncode != 0, "msg": done.stdout + done.stderr}
    call.twin = "nova"
    return call


def web_0_migration(nova_twin):
    return {"migration_id": nova_twin.info["web_0_migration"]}


SNAPSHOT = clusters.snapshot_dict([clusters.host("compute-0"), clusters.host("compute-10")],
                                  [clusters.instance("web-10", "compute-10")])
CASES = [
    # nova_live_migrate
    ("live: unknown server id", nova("nova_live_migrate", servers=[BOGUS_UUID]), "servers"),
    ("live: unknown host", nova("nova_live_migrate", host="compute-99"), "host"),
    ("live: compute-1 is not compute-10", nova("nova_live_migrate", host="compute-1"), "host"),
    ("live: target equal to the source", nova("nova_live_migrate", host="compute-10", target="compute-10"), "target"),
    ("live: disabled target", nova("nova_live_migrate", servers=["web-10"], target="compute-3"), "target"),
    ("live: unknown target", nova("nova_live_migrate", servers=["web-10"], target="compute-1"), "target"),
    ("live: servers not a list of names", nova("nova_live_migrate", servers=[{"id": "web-0"}]), "servers"),
    ("live: neither servers nor host", nova("nova_live_migrate"), "servers"),
    ("live: empty server list", nova("nova_live_migrate", servers=[]), "servers"),
    ("live: bad on_stall", nova("nova_live_migrate", servers=["web-10"], on_stall="ignore"), "on_stall"),
    ("live: zero api_timeout", nova("nova_live_migrate", servers=["web-10"], api_timeout=0), "api_timeout"),
    ("live: negative stall_timeout", nova("nova_live_migrate", servers=["web-10"], stall_timeout=-5), "stall_timeout"),
    ("live: poll_interval not a number", nova("nova_live_migrate", servers=["web-10"], poll_interval="soon"),
     "poll_interval"),
    ("live: zero poll_interval", nova("nova_live_migrate", servers=["web-10"], poll_interval=0), "poll_interval"),
    ("live: max_attempts 0", nova("nova_live_migrate", servers=["web-10"], max_attempts=0), "max_attempts"),
    ("live: negative queued_per_source", nova("nova_live_migrate", servers=["web-10"], queued_per_source=-1),
     "queued_per_source"),
    # nova_cold_migrate and nova_evacuate
    ("cold: unknown server name", nova("nova_cold_migrate", servers=["no-such-server"]), "servers"),
    ("cold: negative max_parallel", nova("nova_cold_migrate", servers=["web-10"], max_parallel=-1), "max_parallel"),
    ("cold: target equal to the source", nova("nova_cold_migrate", host="compute-0", target="compute-0"), "target"),
    ("evacuate: unknown host", nova("nova_evacuate", host="compute-1"), "host"),
    ("evacuate: empty host", nova("nova_evacuate", host=""), "host"),
    ("evacuate: negative api_timeout", nova("nova_evacuate", host="compute-10", api_timeout=-1), "api_timeout"),
    # migration abort / force-complete / info
    ("abort: unknown server", nova("nova_migration_abort", server=BOGUS_UUID), "server"),
    ("abort: migration of another server", nova("nova_migration_abort", web_0_migration, server="web-10"),
     "migration_id"),
    ("force-complete: migration of another server",
     nova("nova_migration_force_complete", web_0_migration, server="db-2"), "migration_id"),
    ("force-complete: bogus migration id", nova("nova_migration_force_complete", server="web-10", migration_id="999999"),
     "migration_id"),
    ("info: bad migration_type", nova("nova_migration_info", migration_type="teleport"), "migration_type"),
    ("info: negative limit", nova("nova_migration_info", limit=-3), "limit"),
    ("info: unknown server", nova("nova_migration_info", server="no-such-server"), "server"),
    # compute service and facts
    ("service: compute-1 is not compute-10", nova("nova_compute_service", host="compute-1", state="disabled"), "host"),
    ("service: bad state", nova("nova_compute_service", host="compute-0", state="off"), "state"),
    ("service: missing host", nova("nova_compute_service", state="disabled"), "host"),
    ("facts: unknown host", nova("nova_cluster_facts", hosts=["compute-1"]), "hosts"),
    ("facts: hosts not a list", nova("nova_cluster_facts", hosts={"compute-0": 1}), "hosts"),
    ("facts: negative bandwidth", nova("nova_cluster_facts", migration_bandwidth_mibps=-10), "migration_bandwidth_mibps"),
    # nova_apply_plan
    ("apply: plan is not a plan", nova("nova_apply_plan", plan={"moves": "all of them"}), "plan"),
    ("apply: plan moves an unknown server", nova("nova_apply_plan", plan={
        "workflow": "drain", "hosts": ["compute-10"], "blocked": [], "moves": [{
            "instance": BOGUS_UUID, "name": "ghost", "source": "compute-10", "target": "compute-0", "type": "live",
            "wave": 0}]}), "plan"),
    ("apply: bad on_stall", nova("nova_apply_plan", plan={"moves": []}, on_stall="later"), "on_stall"),
    # connection
    ("connection: unreachable endpoint", nova("nova_cluster_facts", cloud=lambda t: {
        "auth_type": "admin_token", "auth": {"endpoint": "http://127.0.0.1:9/v2.1", "token": "x"},
        "compute_endpoint_override": "http://127.0.0.1:9/v2.1"}), "cloud"),
    ("connection: unknown cloud name", nova("nova_cluster_facts", cloud=lambda t: "no-such-cloud"), "cloud"),
    ("connection: wrong password", nova("nova_cluster_facts", lambda t: password_auth(t, "twin-wrong-secret"),
                                        cloud=cloud_without_auth), "auth"),
    ("connection: auth that does not fit auth_type", nova("nova_cluster_facts", lambda t: password_auth(t, "any")),
     "auth"),
    ("connection: expired token", nova("nova_compute_service", lambda t: token_auth(t, "twin-expired-token"),
                                       host="compute-0", state="disabled"), "auth"),
    # filters
    ("filter: drain_plan of an invalid snapshot", a_filter("drain_plan", {"hosts": "many"}, ["compute-0"]), "snapshot"),
    ("filter: drain_plan of an empty host list", a_filter("drain_plan", SNAPSHOT, []), "hosts"),
    ("filter: drain_plan of an unknown host", a_filter("drain_plan", SNAPSHOT, ["compute-1"]), "hosts"),
    ("filter: rebalance_plan with a bad objective", a_filter("rebalance_plan", SNAPSHOT, objective="tidy"), "objective"),
    # kubevirt modules
    ("kubevirt_migrate: unknown VMI", kube("kubevirt_migrate", name=["vm-99-99"]), "name"),
    ("kubevirt_migrate: unknown node", kube("kubevirt_migrate", node="node-99"), "node"),
    ("kubevirt_migrate: target equal to the source", kube("kubevirt_migrate", node="node-01", target_node="node-01"),
     "target_node"),
    ("kubevirt_migrate: negative max_parallel", kube("kubevirt_migrate", node="node-01", max_parallel=-1), "max_parallel"),
    ("kubevirt_migrate: zero wait_timeout", kube("kubevirt_migrate", node="node-01", wait_timeout=0), "wait_timeout"),
    ("kubevirt_node: unknown node", kube("kubevirt_node", name="node-1"), "name"),
    ("kubevirt_migration_config: zero parallel limit",
     kube("kubevirt_migration_config", parallel_migrations_per_cluster=0), "parallel_migrations_per_cluster"),
    ("kubevirt_migration_cancel: unknown VMI", kube("kubevirt_migration_cancel", vmi="vm-99-99"), "vmi"),
    ("kubevirt: wrong token", kube("kubevirt_migrate", name=["vm-01-01"], api_key="not-a-token"), "api_key"),
    # roles through their playbooks
    ("role drain_node: empty host list", playbook("drain_compute.yml", drain_hosts=[]), "drain_node_hosts"),
    ("role drain_node: compute-1 is not compute-10", playbook("drain_compute.yml", drain_hosts=["compute-1"]), "hosts"),
    ("role drain_node: wrong password", playbook("drain_compute.yml", lambda t: {"vmops_cloud": dict(
        cloud_without_auth(t), **password_auth(t, "twin-wrong-secret"))}, drain_hosts=["compute-10"]), "auth"),
    ("role evacuate: hosts not a list", playbook("evacuate_compute.yml", evacuate_hosts="compute-10"), "evacuate_hosts"),
    ("role rebalance: bad objective", playbook("rebalance_compute.yml", objective="tidy"), "rebalance_objective"),
]


# A few rows run in CI (-m "not full"): one per kind of call and the two exact-match hosts; the rest are `full`.
CI_ROWS = {
    "live: compute-1 is not compute-10", "live: disabled target", "abort: migration of another server",
    "service: compute-1 is not compute-10", "apply: plan moves an unknown server", "connection: wrong password",
    "filter: drain_plan of an invalid snapshot", "kubevirt: wrong token", "role drain_node: wrong password",
}
ROWS = [pytest.param(*case, id=case[0], marks=() if case[0] in CI_ROWS else pytest.mark.full) for case in CASES]


def names_parameter(result, parameter):
    """The failure names `parameter`: as its `parameter` field or as a word of its message."""
    if result.get("parameter") == parameter:
        return True
    return re.search(r"(?<![\w.-])%s(?![\w-])" % re.escape(parameter), result.get("msg", "")) is not None


@pytest.mark.parametrize("title, call, parameter", ROWS)
def test_bad_input_fails_naming_the_parameter_and_changes_nothing(request, ledger, title, call, parameter):
    if call.twin == "nova":
        twin, state = request.getfixturevalue("twin"), nova_state
    elif call.twin == "kube":
        twin, state = request.getfixturevalue("kube_twin"), kube_state
    else:
        twin, state = None, lambda _twin: None
    before = state(twin)
    result = call(twin)
    after = state(twin)
    ledger.record("Bad input (one call each)", migrations=_new_migrations(before, after), faults=1,
                  lost=_lost(before, after), in_error=_in_error(after), duplicates=0)
    assert result.get("failed"), "%s did not fail: %s" % (title, result)
    assert names_parameter(result, parameter), "%s: the error does not name %s: %s" % (title, parameter, result.get("msg"))
    assert after == before, "%s changed the twin" % title


def _new_migrations(before, after):
    if not before:
        return 0
    if "servers" in before:
        return len(set(after["migrations"]) - set(before["migrations"]))
    return max(0, after["migrations"] - before["migrations"])


def _lost(before, after):
    key = "servers" if before and "servers" in before else "vmis"
    return len(set(before[key]) - set(after[key])) if before else 0


def _in_error(after):
    servers = (after or {}).get("servers", {})
    return sum(1 for unused_host, status, task_state in servers.values() if status == "ERROR" or task_state)
