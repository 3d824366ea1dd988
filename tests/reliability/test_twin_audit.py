"""The audit the scenarios' figures come from counts duplicates right, against the fault twin.

The soak once counted 2 duplicates that no rerun showed: the audit then counted the
live-migration records of every server, so a move of a server the scenario does not watch (such
as a drain process another test left running on the same twin) counted as a duplicate. Here a
watched server moves once in the scenario's run of the tool, an unwatched one in another run.
"""

from tests.reliability.fault_twin import BULK, plan
from tests.reliability.twin_audit import TwinAudit

WATCHED, OTHER = BULK[-1], BULK[-2]


def test_only_the_watched_servers_records_beyond_their_attempts_are_duplicates(fault_twin_clean):
    twin = fault_twin_clean
    watched, other = twin.ids([WATCHED, OTHER])
    audit = TwinAudit(twin, [watched])
    ours = twin.run("nova_apply_plan", plan=plan([away(twin, watched)]), poll_interval=0.5)
    theirs = twin.run("nova_apply_plan", plan=plan([away(twin, other)]), poll_interval=0.5)  # as another test's run would
    assert not ours.get("failed") and not theirs.get("failed"), (ours.get("msg"), theirs.get("msg"))
    attempts = {result["instance"]: result["attempts"] for result in ours["results"]}
    assert attempts == {watched: 1}

    assert audit.live_migrations() == {watched: 1}
    assert audit.duplicates(attempts) == 0 and audit.excess(attempts) == {}

    # Had the tool not counted its attempt, the watched server's record would be one too many.
    assert audit.duplicates({}) == 1
    unaccounted = audit.excess({})[watched]
    assert (unaccounted["attempts"], unaccounted["posts"], len(unaccounted["records"])) == (0, 1, 1)


def away(twin, server_id):
    """A live move of the server from where it is to another host of the twin."""
    source = twin.server(server_id).compute_host
    return server_id, source, next(host for host in twin.hosts if host != source)
