"""A Nova twin shaped for the moving modules: 30 small servers on compute-0, guests
that never converge, one that fails, and servers for cold migration and evacuation.

Its own twin (not the shared `nova_twin`) because the fleet is part of what is tested: the
must-show moves 30 servers off one host. Time runs 100x faster in live migrations.
"""
import json
import os
import shutil
import tempfile
import urllib.request

import openstack
import pytest

from twin.nova import launcher

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
TWIN_PYTHON = os.path.join(ROOT, ".venv-twin", "bin", "python")
BULK = 30
TIME_FACTOR = 100
NOT_CONVERGING = {"sim_dirty_mibps": "2000", "sim_bw_mibps": "1000"}


def fleet():
    servers = [{"name": "bulk-%02d" % i, "flavor": "t1.small", "host": "compute-0"} for i in range(BULK)]
    servers += [{"name": name, "flavor": "t1.small", "host": "compute-1"} for name in ("web-1", "web-2", "web-3")]
    servers += [{"name": name, "flavor": "t1.small", "host": "compute-1", "metadata": NOT_CONVERGING}
                for name in ("busy-abort", "busy-force", "busy-stall")]
    servers += [{"name": "flaky", "flavor": "t1.small", "host": "compute-1", "metadata": {"sim_fail": "true"}}]
    servers += [{"name": name, "flavor": "t1.small", "host": "compute-2"} for name in ("cold-confirm", "cold-revert")]
    servers += [{"name": name, "flavor": "t1.small", "host": "compute-3"} for name in ("evac-1", "evac-2")]
    return {"hosts": [{"name": "compute-%d" % i} for i in range(4)], "servers": servers}


class MovingTwin:
    def __init__(self, state_dir, info):
        self.state_dir = state_dir
        self.clouds_yaml = info["clouds_yaml"]
        self.cloud = info["cloud"]
        self.control_url = info["endpoints"]["control"]

    def connect(self):
        # The twin writes clouds.yaml as JSON; its cloud entry is openstack.connect's keywords.
        with open(self.clouds_yaml, encoding="utf-8") as f:
            return openstack.connect(load_yaml_config=False, **json.load(f)["clouds"][self.cloud])

    def control(self, method, path, body=None):
        request = urllib.request.Request(self.control_url + path, method=method,
                                         data=json.dumps(body or {}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.load(answer)


@pytest.fixture(scope="session")
def moving_twin():
    reused = os.environ.get("VMOPS_MOVING_TWIN_STATE_DIR")
    if reused:
        # A twin started by hand with this fleet (`python -m twin.nova up --config ...`), kept across test runs.
        yield MovingTwin(reused, launcher.ready_info(reused))
        return
    if not os.path.exists(TWIN_PYTHON):
        pytest.skip("the twin venv (.venv-twin) is not installed")
    state_dir = tempfile.mkdtemp(prefix="vmops-moving-twin-")
    fleet_file = os.path.join(state_dir, "fleet.json")
    with open(fleet_file, "w", encoding="utf-8") as f:
        json.dump(fleet(), f)
    info = launcher.start(os.path.join(state_dir, "twin"), ["--config", fleet_file, "--time-factor", str(TIME_FACTOR)],
                          python=TWIN_PYTHON, timeout=300)
    try:
        yield MovingTwin(state_dir, info)
    finally:
        launcher.stop(os.path.join(state_dir, "twin"))
        shutil.rmtree(state_dir, ignore_errors=True)


def server(conn, name):
    return next(s for s in conn.compute.servers(details=True, all_projects=True, name="^%s$" % name) if s.name == name)


def migrations_of(conn, server_id):
    return sorted(conn.compute.migrations(instance_uuid=server_id), key=lambda m: m.id)
