"""Issue 9, item 4: SIGKILL the drain playbook at different points; rerunning the same command finishes it.

``ansible-playbook playbooks/drain_compute.yml`` drains compute-1 of a Nova twin and is killed
(it and every process under it) at points found from its output, its progress file and the twin:
while it reads the cluster, right after it disabled the compute service, with the first and a
later migration in flight, while it writes the report and while it verifies. After every kill
the same command runs again. compute-3 was disabled beforehand by someone else ("rack power
work"); no run may enable it or touch its reason. At the end compute-1 is empty and disabled
with the reason of the one drain run id, every server is where the drain put it, ACTIVE with
no task state, none lost, and each moved once (its migration records, counted on the twin).

The CI version chains the kill points: each rerun is killed at the next point, so every rerun
first gets past the point where the run before it died; the last rerun finishes the drain.
The ``full`` version takes each point on its own: kill, rerun to the end, move the servers back.
"""

import random
import time

import pytest

from tests.fixtures.nova_twin import fleet_twin
from tests.reliability.playbook_run import PlaybookRun, run_files
from tests.reliability.twin_audit import TwinAudit

# Playbook runs on twins of their own: minutes that CI leaves to the full suite (./run.sh reliability).
pytestmark = pytest.mark.full

DRAINED = "compute-1"
FOREIGN = "compute-3"
FOREIGN_REASON = "rack power work"
# The same arguments on every run; a short poll keeps the twin's few-second migrations short.
ARGUMENTS = ({"drain_hosts": [DRAINED]}, "drain_node_poll_interval=0.5")
SCENARIO = "Killed drain: SIGKILL of ansible-playbook, then rerun"


def fleet(drained):
    """Four computes; `drained` guests on compute-1 (local-disk and volume-backed, one stopped), one on compute-3."""
    servers = [{"name": "kill-%02d" % i, "flavor": ("t1.small", "t1.volume")[i % 2], "host": DRAINED}
               for i in range(drained)]
    servers.append({"name": "kill-off", "flavor": "t1.small", "host": DRAINED, "status": "SHUTOFF"})
    servers.append({"name": "bystander", "flavor": "t1.small", "host": FOREIGN})
    return {"hosts": [{"name": "compute-%d" % i} for i in range(4)], "servers": servers}


@pytest.fixture(scope="module")
def workspace():
    with run_files("vmops-killed-drain-files-") as files:
        yield files


def servers_by_name(twin):
    return {server.name: server for server in twin.conn.compute.servers(details=True, all_projects=True)}


def services(twin):
    """{host: (status, disabled_reason, forced_down)} of every nova-compute service."""
    return {s.host: (s.status, s.disabled_reason, s.is_forced_down) for s in twin.conn.compute.services(binary="nova-compute")}


def disable_foreign_host(twin):
    service = next(s for s in twin.conn.compute.services(binary="nova-compute") if s.host == FOREIGN)
    twin.conn.compute.disable_service(service, disabled_reason=FOREIGN_REASON)


# Kill points: each waits, on the run, the twin or the progress file, for its moment.
def while_reading_the_cluster(run, twin):
    run.wait_until(lambda: run.started_task("Read the cluster, waiting"), "cluster read")


def right_after_the_disable(run, twin):
    run.wait_until(lambda: run.started_task("Move the instances and report"), "the task after the disable")


def with_the_first_migration_in_flight(run, twin):
    run.wait_until(lambda: _started(run, after_done=0), "a first migration started")


def with_a_later_migration_in_flight(run, twin):
    run.wait_until(lambda: _started(run, after_done=1), "a migration started after one of this run finished")


def while_writing_the_report(run, twin):
    run.wait_until(lambda: run.started_task("Build the report"), "report")


def while_verifying(run, twin):
    run.wait_until(lambda: run.started_task("Read the cluster again"), "verification")


KILL_POINTS = (while_reading_the_cluster, right_after_the_disable, with_the_first_migration_in_flight,
               with_a_later_migration_in_flight, while_writing_the_report, while_verifying)


def _started(run, after_done):
    """Whether this run started a migration (the progress file says so) after `after_done` of its moves ended."""
    return any(event["event"] == "started" and event["totals"]["done"] >= after_done for event in run.progress_events())


def kill_at(point, twin, workspace, rng):
    """Start the drain, wait for `point`, then a seeded moment within it (up to 0.3 s), and SIGKILL the run."""
    run = PlaybookRun(twin, "drain_compute.yml", ARGUMENTS, workspace["reports"], workspace["progress"])
    point(run, twin)
    time.sleep(rng.uniform(0, 0.3))
    assert run.process.poll() is None, "the run ended before it could be killed %s:\n%s" % (point.__name__, run.output)
    run.kill()
    print("%s: killed %s, last task %s" % (time.strftime("%H:%M:%S"), point.__name__, run.last_task()))
    return run


def drain_to_the_end(twin, workspace):
    run = PlaybookRun(twin, "drain_compute.yml", ARGUMENTS, workspace["reports"], workspace["progress"])
    assert run.finish() == 0, run.output
    return run


class Cycle:
    """What a drain of compute-1 must leave, from the servers on it and the services when it began."""

    def __init__(self, twin):
        self.twin = twin
        on_host = [server for server in servers_by_name(twin).values() if server.compute_host == DRAINED]
        self.running = [server.id for server in on_host if server.status == "ACTIVE"]
        self.stopped = [server.id for server in on_host if server.status == "SHUTOFF"]
        self.elsewhere = {s.name: s.compute_host for s in servers_by_name(twin).values() if s.compute_host != DRAINED}
        self.services = services(twin)
        self.audit = TwinAudit(twin, self.running)
        self.since = twin.last_migration_id()
        self.run_ids = set()

    def check_after_kill(self):
        """Nothing but compute-1 changed its service; compute-1 is enabled or carries one drain run id."""
        now = services(self.twin)
        assert {h: s for h, s in now.items() if h != DRAINED} == {h: s for h, s in self.services.items() if h != DRAINED}
        status, reason, forced_down = now[DRAINED]
        assert not forced_down
        if status == "disabled":
            assert reason.startswith("vmops:drain:"), reason
            self.run_ids.add(reason)
        assert len(self.run_ids) <= 1, self.run_ids
        assert not self.audit.lost()

    def check_drained(self):
        self.check_after_kill()
        assert services(self.twin)[DRAINED][0] == "disabled"
        figures = self.audit.figures({server_id: 1 for server_id in self.running})
        assert figures == {"lost": [], "in_error": [], "duplicates": 0}, figures
        moved = self.audit.live_migrations()
        assert all(moved[server_id] == 1 for server_id in self.running), moved
        assert all(host != DRAINED for host in self.audit.hosts().values())
        for server_id in self.stopped:
            server = self.twin.server(server_id)
            assert (server.status, server.task_state) == ("SHUTOFF", None) and server.compute_host != DRAINED, server
            cold = [m for m in self.twin.migrations(server_id, "migration") if m.id > self.since]
            assert [m.status for m in cold] == ["confirmed"], [(m.id, m.status) for m in cold]
        unmoved = {s.name: s.compute_host for s in servers_by_name(self.twin).values() if s.name in self.elsewhere}
        assert unmoved == self.elsewhere
        return sum(moved.values()) + len(self.stopped), figures


def move_back(twin, server_ids):
    """Put the drained servers back on compute-1 (enabled again) for the next kill point, quickly."""
    service = next(s for s in twin.conn.compute.services(binary="nova-compute") if s.host == DRAINED)
    twin.conn.compute.enable_service(service)
    twin.control.set_time_factor(200)
    try:
        for server_id in server_ids:
            newest = twin.last_migration_id()
            twin.conn.compute.live_migrate_server(server_id, host=DRAINED, block_migration="auto")
            twin.wait_migration(server_id, timeout=120, migration_type="live-migration", newer_than=newest)
            twin.wait_server(server_id)
    finally:
        twin.control.set_time_factor(10)


def record(ledger, cycle, kills):
    migrations, figures = cycle.check_drained()
    ledger.record(SCENARIO, migrations=migrations, faults=kills, lost=len(figures["lost"]),
                  in_error=len(figures["in_error"]), duplicates=figures["duplicates"])


@pytest.fixture(scope="module")
def small_twin():
    with fleet_twin("vmops-killed-drain-", fleet(drained=6)) as twin:
        yield twin


def test_each_rerun_gets_past_the_point_the_run_before_it_was_killed_at_and_the_last_one_finishes(
        small_twin, workspace, ledger):
    disable_foreign_host(small_twin)
    cycle = Cycle(small_twin)
    rng = random.Random(4)
    for point in KILL_POINTS:
        kill_at(point, small_twin, workspace, rng)
        cycle.check_after_kill()
    drain_to_the_end(small_twin, workspace)
    record(ledger, cycle, kills=len(KILL_POINTS))
    again = drain_to_the_end(small_twin, workspace)
    assert again.recap_changed() == 0, again.output
    cycle.check_drained()


@pytest.fixture(scope="module")
def big_twin():
    with fleet_twin("vmops-killed-drain-", fleet(drained=12)) as twin:
        yield twin


@pytest.mark.full
def test_killed_at_any_one_point_a_rerun_finishes_the_drain(big_twin, workspace, ledger):
    disable_foreign_host(big_twin)
    rng = random.Random(9)
    for point in KILL_POINTS:
        cycle = Cycle(big_twin)
        kill_at(point, big_twin, workspace, rng)
        cycle.check_after_kill()
        drain_to_the_end(big_twin, workspace)
        record(ledger, cycle, kills=1)
        move_back(big_twin, cycle.running)
