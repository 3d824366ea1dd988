"""Nova twin plumbing the twin benchmarks share: start a fleet, connect, request and watch live migrations.

The twin is started the normal way (`python -m twin.nova up` through `twin/nova/launcher.py`)
from `.venv-twin` (or `$VMOPS_TWIN_PYTHON`), so the benchmarks get any faster start-up for free.
Baselines talk to it with openstacksdk; the collection's own runs use `ansible-playbook` or
run a module directly, as an operator would.
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import common

sys.path.insert(0, common.ROOT)

from twin.nova import launcher  # noqa: E402
from twin.nova.control import TwinControl  # noqa: E402

# Nova's migration states that end a migration (the twin's abort ends "cancelled").
ENDED = {"completed", "error", "failed", "cancelled"}


def twin_python():
    return os.environ.get("VMOPS_TWIN_PYTHON") or os.path.join(common.ROOT, ".venv-twin", "bin", "python")


class Twin:
    """A twin serving `fleet` (a fleet-file dict) at `time_factor`, stopped on exit."""

    def __init__(self, fleet, time_factor, start_timeout=1800):
        self.state_dir = tempfile.mkdtemp(prefix="vmops-bench-twin-")
        config = os.path.join(self.state_dir, "fleet.json")
        with open(config, "w", encoding="utf-8") as handle:
            json.dump(fleet, handle)
        started = time.monotonic()
        try:
            self.info = launcher.start(self.state_dir, ["--config", config, "--time-factor", str(time_factor)],
                                       python=twin_python(), timeout=start_timeout)
        except BaseException:
            launcher.stop(self.state_dir)  # the state dir stays, with twin.out, to see why
            raise
        self.start_seconds = time.monotonic() - started
        self.clouds_yaml = self.info["clouds_yaml"]
        self.cloud = self.info["cloud"]
        self.control = TwinControl(self.info["endpoints"]["control"])
        self.conn = self.connect()

    def connect(self):
        """openstacksdk to this twin only (its clouds.yaml is JSON; environment variables ignored)."""
        import openstack

        with open(self.clouds_yaml, encoding="utf-8") as handle:
            entry = json.load(handle)["clouds"][self.cloud]
        return openstack.connect(load_yaml_config=False, load_envvars=False, **entry)

    def env(self):
        """Environment for ansible and modules: this twin's clouds.yaml and this checkout's collection."""
        return dict(os.environ, OS_CLIENT_CONFIG_FILE=self.clouds_yaml, ANSIBLE_COLLECTIONS_PATH=common.collection_path(),
                    ANSIBLE_CONFIG=os.path.join(common.ROOT, "playbooks", "ansible.cfg"))

    def counters(self):
        """Live-migration counters of the twin (started, completed, failed, aborted, timed_out)."""
        return dict(self.control.status().get("live_migrations", {}))

    def close(self):
        launcher.stop(self.state_dir)
        shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def nova_span(conn):
    """Seconds from the first live migration Nova recorded to the last one it ended, by Nova's own
    timestamps (the client's poll interval does not count), or None when none ended."""
    records = list(conn.compute.migrations(migration_type="live-migration"))
    ended = [_epoch(record.updated_at) for record in records if record.status in ENDED]
    if not ended:
        return None
    return max(ended) - min(_epoch(record.created_at) for record in records)


def _epoch(stamp):
    when = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return (when if when.tzinfo else when.replace(tzinfo=datetime.timezone.utc)).timestamp()


def placement(conn):
    """server name -> compute host."""
    return {server.name: server.compute_host for server in conn.compute.servers(all_projects=True, details=True)}


def servers_on(conn, hosts):
    """(name, id, host) of the servers on `hosts`, by host then name: the order a drain script walks them."""
    found = [(server.compute_host, server.name, server.id)
             for server in conn.compute.servers(all_projects=True, details=True) if server.compute_host in hosts]
    return [(name, server_id, host) for host, name, server_id in sorted(found)]


def disable_computes(conn, hosts, reason):
    """What every drain starts with: nothing new may land on the hosts being emptied."""
    for host in hosts:
        for service in conn.compute.services(binary="nova-compute", host=host):
            conn.compute.disable_service(service, disabled_reason=reason)


class Watch:
    """Live migrations a client requested: when each request returned and when its end was seen."""

    def __init__(self, conn):
        self.conn = conn
        self.known = {migration.id for migration in conn.compute.migrations()}
        self.moves = {}  # server id -> {"name", "source", "requested", "ended", "status", "target"}

    def request(self, server_id, name, source, host=None):
        self.conn.compute.live_migrate_server(server_id, host=host, block_migration="auto")
        self.moves[server_id] = {"name": name, "source": source, "requested": time.time(),
                                 "ended": None, "status": None, "target": None}

    def wait(self, poll_interval, server_ids=None):
        """Poll Nova's migration list until the migrations of `server_ids` (default: all requested) ended."""
        waiting = set(server_ids or self.moves)
        while waiting:
            for migration in self.conn.compute.migrations(migration_type="live-migration"):
                move = self.moves.get(migration.server_id)
                if migration.id in self.known or migration.server_id not in waiting or migration.status not in ENDED:
                    continue
                move.update(ended=time.time(), status=migration.status, target=migration.dest_compute)
                waiting.discard(migration.server_id)
            if waiting:
                time.sleep(poll_interval)

    def results(self):
        return list(self.moves.values())


def run_module(env, module, args):
    """Run one collection module directly, as ansible would on the controller; (result dict, wall seconds)."""
    path = os.path.join(common.ROOT, "plugins", "modules", module + ".py")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": args}, handle)
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, path, handle.name], env=dict(env, PYTHONPATH=common.collection_path()),
                              stdout=subprocess.PIPE, text=True, check=False, cwd=tempfile.gettempdir())
    finally:
        os.remove(handle.name)
    wall = time.monotonic() - started
    return json.loads(done.stdout), wall
