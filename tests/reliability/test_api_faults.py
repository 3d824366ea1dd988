"""Item 1: a 40-server drain completes while nova-api fails, loses and slows down 10 % of requests.

The cluster is read with nova_cluster_facts, planned with the drain planner and carried out with
nova_apply_plan, all under the faults: reads are retried with backoff, a live-migrate POST whose
answer was lost is looked up before it is sent again, so no server gets two migrations.
"""

from ansible_collections.vmops.migration.plugins.module_utils import planner
from tests.reliability.fault_twin import BULK
from tests.reliability.twin_audit import TwinAudit

SOURCE = "compute-0"
FAULTS = [
    {"mode": "error", "rate": 0.03, "status": 503, "seed": 1},
    {"mode": "error", "rate": 0.02, "status": 502, "seed": 2},
    {"mode": "delay", "rate": 0.05, "delay_s": 0.5, "seed": 3},
    # A proxy that drops the answer after nova-api did the work: the dangerous case for POSTs.
    {"mode": "lost", "rate": 0.15, "status": 504, "methods": ["POST"], "path": r"/action$", "seed": 4},
]


def test_a_40_server_drain_completes_under_api_faults(fault_twin_clean, ledger):
    twin = fault_twin_clean
    servers = twin.ids(BULK)
    audit = TwinAudit(twin, servers)
    assert set(audit.hosts().values()) == {SOURCE}
    twin.control.set_faults(*FAULTS)

    facts = twin.run("nova_cluster_facts")
    assert not facts.get("failed"), facts.get("msg")
    drain = planner.drain(facts["snapshot"], [SOURCE], {"per_source": 4})
    assert len(drain["moves"]) == len(servers) and not drain["blocked"]
    applied = twin.run("nova_apply_plan", plan=drain, poll_interval=0.5, max_attempts=3)
    fired = {rule["mode"] + str(rule["status"]): rule["fired"] for rule in twin.control.faults()}
    twin.control.clear_faults()

    attempts = {result["instance"]: result["attempts"] for result in applied.get("results", [])}
    figures = audit.figures(attempts)
    ledger.record("API faults 10 % (+15 % lost POST answers), 40-server drain",
                  migrations=sum(audit.live_migrations().values()), faults=sum(fired.values()),
                  lost=len(figures["lost"]), in_error=len(figures["in_error"]), duplicates=figures["duplicates"])
    assert not applied.get("failed"), applied.get("msg")
    assert [result["status"] for result in applied["results"]] == ["completed"] * len(servers)
    assert all(count > 0 for count in fired.values()), fired  # every kind of fault really happened
    assert figures == {"lost": [], "in_error": [], "duplicates": 0}
    assert sorted(audit.live_migrations().values()) == sorted(attempts.values())
    assert SOURCE not in audit.hosts().values()
