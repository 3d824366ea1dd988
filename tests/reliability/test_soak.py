"""Item 8: N live migrations through nova_apply_plan in rounds, with random dirty rates and 2 % of the
moves made to fail: zero servers lost, zero in ERROR, every failure in the module's results.

Twenty-five servers move in rounds to random other hosts (a migration is a migration, and a small twin
starts fast); the last round sends each back to where it started. The injected failures are the
twin's `sim_fail` knob on the chosen server for that round, with max_attempts 1 so that each one
must show up in the results as a failed move, with its reason, and the guest stays where it was.
"""

import random

import pytest

from tests.reliability.fault_twin import BULK, plan
from tests.reliability.twin_audit import TwinAudit

SERVERS = BULK[:25]
FAIL_RATE = 0.02
MAX_DIRTY_MIBPS = 400  # below the 1000 MiB/s each migration gets here, so every healthy guest converges
# Nova runs one live migration per source at a time and queues the rest: 3 per source keep each
# source busy, and a poll a second (not every 0.5 s) leaves the 2 cores to the twin.
PER_SOURCE, POLL_S = 3, 1.0


@pytest.mark.parametrize("migrations", [50, pytest.param(500, marks=pytest.mark.full)])
def test_soak(fault_twin_clean, ledger, migrations):
    twin = fault_twin_clean
    rng = random.Random(migrations)
    servers = twin.ids(SERVERS)
    audit = TwinAudit(twin, servers)
    home = audit.hosts()
    rounds = migrations // len(servers)
    # Not in the last round: a server already home has no move there to fail.
    failing = set(rng.sample([(turn, server_id) for turn in range(rounds - 1) for server_id in servers],
                             round(migrations * FAIL_RATE)))
    results = []
    for turn in range(rounds):
        where = audit.hosts()
        targets = {server_id: home[server_id] if turn == rounds - 1 else
                   rng.choice([host for host in twin.hosts if host != where[server_id]]) for server_id in servers}
        for server_id in servers:
            twin.control.set_sim(server_id, dirty_mibps=rng.randint(0, MAX_DIRTY_MIBPS), bw_mibps=1000,
                                 fail=(turn, server_id) in failing)
        moves = [(server_id, where[server_id], targets[server_id]) for server_id in servers
                 if where[server_id] != targets[server_id]]
        applied = twin.run("nova_apply_plan", plan=plan(moves, per_source=PER_SOURCE), poll_interval=POLL_S, max_attempts=1)
        assert len(applied["results"]) == applied["summary"]["total"] == len(moves), applied.get("msg")
        results.extend((turn, result) for result in applied["results"])
    for server_id in servers:
        twin.control.set_sim(server_id, dirty_mibps=50, fail=False)

    attempts = {}
    for unused_turn, result in results:
        attempts[result["instance"]] = attempts.get(result["instance"], 0) + result["attempts"]
    figures = audit.figures(attempts)
    failed = {(turn, result["instance"]) for turn, result in results if result["status"] != "completed"}
    ledger.record("Soak: %d migrations, random dirty rates, 2 %% failures" % migrations,
                  migrations=sum(audit.live_migrations().values()), faults=len(failing), lost=len(figures["lost"]),
                  in_error=len(figures["in_error"]), duplicates=figures["duplicates"])
    assert figures == {"lost": [], "in_error": [], "duplicates": 0}, audit.excess(attempts)
    assert failed == failing  # every injected failure reported, and nothing else failed
    for turn, result in results:
        if (turn, result["instance"]) in failing:
            assert result["status"] == "failed" and result["failure"]["code"] and result["failure"]["message"]
            assert result["target"] == result["source"]  # the guest stayed where it was
    assert sum(audit.live_migrations().values()) >= migrations - len(servers)
