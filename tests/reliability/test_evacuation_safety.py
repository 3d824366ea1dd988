"""Issue 9, item 5: evacuation is refused unless the source is dead, never touches other hosts'
servers, and never rebuilds a server twice, not even when its run was SIGKILLed mid-way.

A twin of four computes: compute-3 dies (its nova-compute stopped as the twin fixture starts, which
waits until Nova sees it down, as it does after service_down_time); compute-2 stays alive. Each
refusal is asked of the module and of the playbook, and must leave the twin exactly as it was:
servers (host, status, task state), compute services and migration records. Then the playbook
evacuates compute-3, is killed while the rebuilds run, is run again with the same arguments and
once more: each server is rebuilt exactly once (one evacuation record), ACTIVE, with its UUID.
"""

import random
import time

import pytest

from tests.integration.plugins.modules.nova_module_runner import run_module
from tests.fixtures.nova_twin import fleet_twin
from tests.reliability.playbook_run import PlaybookRun, run_files
from tests.reliability.twin_audit import TwinAudit

# Playbook runs on twins of their own: minutes that CI leaves to the full suite (./run.sh reliability).
pytestmark = pytest.mark.full

DEAD = "compute-3"
ALIVE = "compute-2"
SCENARIO = "Evacuation safety: refusals, rerun, SIGKILL mid-evacuation"
FAST = {"poll_interval": 0.2}


def fleet():
    servers = [{"name": "evac-%d" % i, "flavor": ("t1.small", "t1.volume")[i % 2], "host": DEAD} for i in range(6)]
    servers += [{"name": "alive-%d" % i, "flavor": "t1.small", "host": ALIVE} for i in range(2)]
    return {"hosts": [{"name": "compute-%d" % i} for i in range(4)], "servers": servers}


@pytest.fixture(scope="module")
def twin():
    with fleet_twin("vmops-evacuation-safety-", fleet()) as nova:
        nova.control.kill(DEAD)
        # Nova sees it down after service_down_time; until then its state would change under the tests.
        wait_for(lambda: service(nova, DEAD).state == "down", "Nova to see %s down" % DEAD, timeout=150)
        yield nova


@pytest.fixture(scope="module")
def workspace():
    with run_files("vmops-evacuation-safety-files-") as files:
        yield files


def twin_state(twin):
    """Everything a refused evacuation must leave alone."""
    servers = sorted((s.id, s.compute_host, s.status, s.task_state)
                     for s in twin.conn.compute.servers(details=True, all_projects=True))
    services = sorted((s.host, s.state, s.status, s.disabled_reason, s.is_forced_down)
                      for s in twin.conn.compute.services(binary="nova-compute"))
    migrations = sorted((m.id, m.status) for m in twin.conn.compute.migrations())
    return servers, services, migrations


def service(twin, host):
    return next(s for s in twin.conn.compute.services(binary="nova-compute") if s.host == host)


def wait_for(condition, what, timeout):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(0.5)


def evacuate_playbook(twin, workspace, *extra):
    return PlaybookRun(twin, "evacuate_compute.yml", ({"evacuate_hosts": [DEAD]},) + extra,
                       workspace["reports"], workspace["progress"])


def refuse_by_module(twin, **args):
    result = run_module("nova_evacuate", twin, **dict(FAST, **args))
    assert result.get("failed") is True, result
    return "%s (parameter %s)" % (result["msg"], result.get("parameter"))


def refuse_by_playbook(twin, workspace, *extra):
    run = evacuate_playbook(twin, workspace, *extra)
    assert run.finish() != 0, run.output
    return run.output


def host_up(twin, workspace):
    return refuse_by_module(twin, host=ALIVE)


def host_up_playbook(twin, workspace):
    return refuse_by_playbook(twin, workspace, {"evacuate_hosts": [ALIVE]})


def down_not_forced(twin, workspace):
    return refuse_by_module(twin, host=DEAD)


def down_not_forced_playbook(twin, workspace):
    return refuse_by_playbook(twin, workspace)


def servers_elsewhere(twin, workspace):
    return refuse_by_module(twin, host=DEAD, servers=["evac-0", "alive-1"], fencing_confirmed=True)


# (case, refusal, words the message must hold)
REFUSALS = [
    ("source service up (module)", host_up, ["refusing to evacuate %s" % ALIVE, "is up", "fencing_confirmed"]),
    ("source service up (playbook)", host_up_playbook, ["Refusing to evacuate", ALIVE, "Nothing was changed"]),
    ("down, not forced down, no fencing_confirmed (module)", down_not_forced,
     ["refusing to evacuate %s" % DEAD, "is down and not forced down", "fencing_confirmed"]),
    ("down, not forced down, no fencing_confirmed (playbook)", down_not_forced_playbook,
     ["Refusing to evacuate", DEAD, "not forced down", "Nothing was changed"]),
    ("servers not on that host (module)", servers_elsewhere, ["parameter servers", "alive-1 (on %s)" % ALIVE]),
]


@pytest.mark.parametrize("case, refuse, words", REFUSALS, ids=[case[0] for case in REFUSALS])
def test_refused_and_nothing_changed(twin, workspace, ledger, case, refuse, words):
    before = twin_state(twin)
    message = refuse(twin, workspace)
    for word in words:
        assert word in message, (case, word, message)
    assert twin_state(twin) == before
    ledger.record(SCENARIO, migrations=0, faults=0, lost=0, in_error=0, duplicates=0)


def evacuations(twin, server_id, since):
    """Statuses of the server's evacuation records newer than migration id `since`, oldest first."""
    return [m.status for m in reversed(twin.migrations(server_id, "evacuation")) if m.id > since]


def evacuated_since(twin, since):
    """Ids of the servers with an evacuation record newer than migration id `since`."""
    return {m.server_id for m in twin.conn.compute.migrations() if m.id > since and m.migration_type == "evacuation"}


@pytest.mark.full  # three playbook runs and six rebuilds: minutes that CI spends on the refusals instead
def test_killed_mid_evacuation_a_rerun_and_another_rebuild_each_server_once(twin, workspace, ledger):
    guests = {s.id: s for s in twin.conn.compute.servers(details=True, all_projects=True) if s.compute_host == DEAD}
    assert len(guests) == 6 and all(guest.status == "ACTIVE" for guest in guests.values())
    audit = TwinAudit(twin, guests)
    since = twin.last_migration_id()
    arguments = ("evacuate_force_down=true", "evacuate_poll_interval=0.5")

    run = evacuate_playbook(twin, workspace, *arguments)
    run.wait_until(lambda: evacuated_since(twin, since), "an evacuation under way")
    time.sleep(random.Random(5).uniform(0, 0.3))
    assert run.process.poll() is None, run.output
    run.kill()

    for attempt in ("rerun", "once more"):
        rerun = evacuate_playbook(twin, workspace, *arguments)
        assert rerun.finish() == 0, (attempt, rerun.output)
        for server_id, before in guests.items():
            after = twin.server(server_id)
            assert after.compute_host not in (DEAD, None) and after.name == before.name and not after.task_state, after
            assert evacuations(twin, server_id, since) == ["done"], server_id
            # Evacuated at microversion 2.94, a server comes back running by Nova's own doing: a run
            # killed before it could start one again (2.95 leaves it SHUTOFF) leaves none stopped.
            assert after.status == "ACTIVE", (attempt, after.name, after.status)
    records = sum(len(evacuations(twin, server_id, since)) for server_id in guests)
    lost, in_error = audit.lost(), audit.in_error()
    assert (lost, in_error) == ([], []) and not audit.live_migrations()
    ledger.record(SCENARIO, migrations=records, faults=1, lost=len(lost), in_error=len(in_error),
                  duplicates=records - len(guests))
