"""The Nova playbooks end to end, as an operator runs them: ansible-playbook against a twin.

One twin for the module (four computes); the tests run in order and each leaves the cloud as
the next expects: blocked drain, drain with allow_blocked, idempotent rerun and undrain,
threshold rebalance, evacuation refused then done.
"""
import json
import os
import pathlib
import shutil
import subprocess
import tempfile

import pytest

from tests.fixtures.nova_twin import NovaTwin, twin_python
from tests.integration.test_report_html import _Dom as Dom, _run_browser as run_browser
from twin.nova import launcher

ROOT = launcher.ROOT
BIG = {"name": "t1.big", "vcpus": 16, "ram": 16384, "disk": 20}


def fleet():
    """compute-0 over 60 % CPU (three 16-vCPU guests of 64), compute-1 to drain, compute-3 to evacuate."""
    servers = [{"name": "big-%d" % i, "flavor": "t1.big", "host": "compute-0"} for i in range(3)]
    servers += [{"name": "drain-%d" % i, "flavor": "t1.small", "host": "compute-1"} for i in range(4)]
    servers += [{"name": "drain-off", "flavor": "t1.small", "host": "compute-1", "status": "SHUTOFF"}]
    servers += [{"name": "evac-%d" % i, "flavor": "t1.small", "host": "compute-3"} for i in range(2)]
    servers += [{"name": "evac-ha", "flavor": "t1.small", "host": "compute-3", "metadata": {"HA_Enabled": "True"}}]
    return {"hosts": [{"name": "compute-%d" % i} for i in range(4)], "flavors": [BIG], "servers": servers}


@pytest.fixture(scope="module")
def twin():
    state_dir = tempfile.mkdtemp(prefix="vmops-workflow-twin-")
    fleet_file = os.path.join(state_dir, "fleet.json")
    with open(fleet_file, "w", encoding="utf-8") as handle:
        json.dump(fleet(), handle)
    info = launcher.start(os.path.join(state_dir, "twin"), ["--config", fleet_file, "--time-factor", "50"],
                          python=twin_python(), timeout=300)
    try:
        yield NovaTwin(os.path.join(state_dir, "twin"), info)
    finally:
        launcher.stop(os.path.join(state_dir, "twin"))
        shutil.rmtree(state_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def reports():
    folder = tempfile.mkdtemp(prefix="vmops-reports-")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def playbook(twin, reports, name, *extra_vars):
    """Run playbooks/<name> like an operator; return (exit code, output)."""
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=twin.clouds_yaml, VMOPS_REPORT_DIR=reports,
               ANSIBLE_CONFIG=os.path.join(ROOT, "playbooks", "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    command = ["ansible-playbook", os.path.join(ROOT, "playbooks", name), "-e", "vmops_cloud=%s" % twin.cloud]
    for extra in extra_vars:
        command += ["-e", extra if isinstance(extra, str) else json.dumps(extra)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=900, check=False)
    return result.returncode, result.stdout + result.stderr


def placement(twin):
    """{server name: (host, status, task_state)} of every server."""
    return {s.name: (s.compute_host, s.status, s.task_state)
            for s in twin.conn.compute.servers(details=True, all_projects=True)}


def service(twin, host):
    return next(s for s in twin.conn.compute.services(binary="nova-compute") if s.host == host)


def recap_changed(output):
    return int(output.split("changed=")[-1].split()[0])


def test_drain_with_a_blocked_instance_stops_before_any_write(twin, reports):
    cdrom = twin.conn.compute.create_server(
        name="cd-rom", flavor_id=twin.conn.compute.find_flavor("t1.small").id, image_id=twin.info["image_id"],
        networks="none", config_drive=True, availability_zone="nova:compute-1")
    twin.conn.compute.wait_for_server(cdrom, wait=120)
    before = placement(twin)
    code, output = playbook(twin, reports, "drain_compute.yml", {"drain_hosts": ["compute-1"]})
    assert code != 0
    assert "cd-rom" in output and "READONLY_DEVICE" in output and "nothing was changed" in output
    assert placement(twin) == before
    assert service(twin, "compute-1").status == "enabled"
    assert twin.conn.compute.migrations() is not None and not list(twin.conn.compute.migrations())


def test_drain_with_allow_blocked_moves_the_rest_and_a_rerun_changes_nothing(twin, reports):
    before = placement(twin)
    code, output = playbook(twin, reports, "drain_compute.yml", {"drain_hosts": ["compute-1"]},
                            "drain_node_allow_blocked=true")
    assert code == 0, output
    after = placement(twin)
    on_host = [name for name, (host, _status, _task) in after.items() if host == "compute-1"]
    assert on_host == ["cd-rom"]
    for name, (host, status, task) in before.items():
        if host == "compute-1" and name != "cd-rom":
            assert after[name][0] != "compute-1" and after[name][1] == status and after[name][2] is None, name
    compute_1 = service(twin, "compute-1")
    assert compute_1.status == "disabled" and compute_1.disabled_reason.startswith("vmops:drain:")
    reports_written = os.listdir(reports)
    assert any(name.endswith("-report.md") for name in reports_written)
    assert any(name.endswith("-report.json") for name in reports_written)
    assert_report_page_shows_each_move(reports, before)

    code, output = playbook(twin, reports, "drain_compute.yml", {"drain_hosts": ["compute-1"]},
                            "drain_node_allow_blocked=true")
    assert code == 0, output
    assert recap_changed(output) == 0 and placement(twin) == after


def assert_report_page_shows_each_move(reports, before):
    """The drain's report.html, opened in headless Chromium: one timeline bar per moved server."""
    page = next(name for name in os.listdir(reports) if name.startswith("drain-") and name.endswith("-report.html"))
    folder = pathlib.Path(tempfile.mkdtemp(prefix="vmops-page-"))
    try:
        shutil.copy(os.path.join(reports, page), str(folder / "report.html"))
        dom_text, console = run_browser(folder, "report.html", "--dump-dom")
    finally:
        shutil.rmtree(str(folder), ignore_errors=True)
    assert console == []
    dom = Dom()
    dom.feed(dom_text)
    moved = [name for name, (host, _status, _task) in before.items() if host == "compute-1" and name != "cd-rom"]
    assert len(dom.find("rect", **{"class": "bar"})) == len(moved)


def test_undrain_enables_only_what_we_disabled(twin, reports):
    twin.conn.compute.disable_service(service(twin, "compute-2"), disabled_reason="rack power work")
    code, output = playbook(twin, reports, "drain_compute.yml", {"drain_hosts": ["compute-1"]}, "undrain=true")
    assert code == 0, output
    assert service(twin, "compute-1").status == "enabled"
    code, output = playbook(twin, reports, "drain_compute.yml", {"drain_hosts": ["compute-2"]}, "undrain=true")
    assert code != 0 and "rack power work" in output
    assert service(twin, "compute-2").status == "disabled"
    twin.conn.compute.enable_service(service(twin, "compute-2"))


def test_rebalance_threshold_leaves_every_host_under_the_limit(twin, reports):
    code, output = playbook(twin, reports, "rebalance_compute.yml", "objective=threshold", "max_cpu_util=0.6")
    assert code == 0, output
    report = max((name for name in os.listdir(reports) if name.startswith("rebalance-") and name.endswith("-report.json")))
    with open(os.path.join(reports, report), encoding="utf-8") as handle:
        moves = json.load(handle)["moves"]
    assert moves and all(move["result"] == "completed" for move in moves)
    flavors = {f.name: f.vcpus for f in twin.conn.compute.flavors()}
    used = {}
    for server in twin.conn.compute.servers(details=True, all_projects=True):
        used[server.compute_host] = used.get(server.compute_host, 0) + flavors[server.flavor["original_name"]]
    assert all(vcpus / 64 <= 0.6 for vcpus in used.values()), used


def test_evacuate_refuses_a_live_host_then_evacuates_a_dead_one(twin, reports):
    before = placement(twin)
    evacuated = {name for name, (host, _status, _task) in before.items() if host == "compute-3"}
    ids = {s.name: s.id for s in twin.conn.compute.servers(all_projects=True)}
    code, output = playbook(twin, reports, "evacuate_compute.yml", {"evacuate_hosts": ["compute-3"]})
    assert code != 0 and "Refusing to evacuate" in output
    assert placement(twin) == before

    twin.control.kill("compute-3")
    code, output = playbook(twin, reports, "evacuate_compute.yml", {"evacuate_hosts": ["compute-3"]},
                            "evacuate_force_down=true")
    assert code == 0, output
    after = placement(twin)
    for name in evacuated:
        assert after[name][0] not in ("compute-3", None) and after[name][1] == before[name][1], (name, after[name])
    assert {s.name: s.id for s in twin.conn.compute.servers(all_projects=True)} == ids
