"""The Nova twin the fault scenarios share (API faults, a dying target, failures and stalls, soak).

Its own twin, because the scenarios inject faults and kill computes; each test leaves it as it
found it (``fault_twin_clean`` resets faults, killed computes and forced-down flags). Five hosts:
- ``bulk-00..39`` on compute-0: the 40-server drain, then the soak moves some of them around;
- ``dying-0..3`` on compute-1: moved while their target compute dies;
- ``flaky`` (every migration fails) and ``busy-0..2`` (dirty rate above bandwidth: they never
  converge) on compute-2.
Time runs 100x faster in live migrations. ``$VMOPS_FAULT_TWIN_STATE_DIR`` reuses a twin started by
hand with this fleet (``python -m tests.reliability.fault_twin FLEET.json`` writes the fleet file).
"""

import json
import os
import sys
import time

import pytest

from tests.fixtures.nova_twin import NovaTwin, fleet_twin
from tests.integration.plugins.modules.nova_module_runner import module_result, run_module, started_module
from twin.nova import launcher

HOSTS = ["compute-%d" % index for index in range(5)]
BULK = ["bulk-%02d" % index for index in range(40)]
DYING = ["dying-%d" % index for index in range(4)]
BUSY = ["busy-%d" % index for index in range(3)]
NOT_CONVERGING = {"sim_dirty_mibps": "2000", "sim_bw_mibps": "1000"}
TIME_FACTOR = 100
# Seconds a module process may take (a drain under faults takes a while on 2 shared cores).
MODULE_TIMEOUT_S = 900


def fleet():
    servers = [{"name": name, "flavor": "t1.small", "host": "compute-0"} for name in BULK]
    servers += [{"name": name, "flavor": "t1.small", "host": "compute-1"} for name in DYING]
    servers += [{"name": "flaky", "flavor": "t1.small", "host": "compute-2", "metadata": {"sim_fail": "true"}}]
    servers += [{"name": name, "flavor": "t1.small", "host": "compute-2", "metadata": NOT_CONVERGING} for name in BUSY]
    return {"hosts": [{"name": name} for name in HOSTS], "servers": servers}


class FaultTwin(NovaTwin):
    """A NovaTwin with the helpers the scenarios share."""

    def ids(self, names):
        """Server ids by name, in the order given."""
        by_name = {server.name: server.id for server in self.conn.compute.servers(all_projects=True)}
        return [by_name[name] for name in names]

    def run(self, module, **args):
        return run_module(module, self, process_timeout=MODULE_TIMEOUT_S, **args)

    def start(self, module, **args):
        """A context manager: the module's process running in the background, killed on exit if still running."""
        return started_module(module, self, **args)

    @staticmethod
    def result(module, process):
        """The JSON result of a process from start()."""
        return module_result(module, process, MODULE_TIMEOUT_S)

    def wait_until(self, condition, timeout, what, seen=None):
        """Poll `condition()` every second (the twin serves one API call at a time) until it returns something true;
        `seen()` says in the timeout's message what there was instead."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(1.0)
        raise TimeoutError("%s not seen within %ss%s" % (what, timeout, "; seen: %s" % (seen(),) if seen else ""))

    def faults_fired(self):
        return sum(rule["fired"] for rule in self.control.faults())


def plan(moves, per_source=1, per_target=0, per_cluster=0):
    """A version 1 plan of live moves, as the planner makes them: (server id, source, target) triples."""
    return {"version": 1, "limits": {"per_source": per_source, "per_target": per_target, "per_cluster": per_cluster},
            "moves": [{"instance": server_id, "source": source, "target": target, "type": "live"}
                      for server_id, source, target in moves]}


@pytest.fixture(scope="session")
def fault_twin():
    reused = os.environ.get("VMOPS_FAULT_TWIN_STATE_DIR")
    if reused:
        yield FaultTwin(reused, launcher.ready_info(reused))
        return
    with fleet_twin("vmops-fault-twin-", fleet(), TIME_FACTOR, FaultTwin, timeout=600) as twin:
        yield twin


@pytest.fixture
def fault_twin_clean(fault_twin):
    yield fault_twin
    fault_twin.control.reset()


if __name__ == "__main__":
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        json.dump(fleet(), out)
