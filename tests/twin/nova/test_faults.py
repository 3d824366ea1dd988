"""API fault injection through the control endpoint."""
import time

import pytest
from openstack import exceptions


def _status(twin, path="/flavors"):
    return twin.conn.compute.get(path).status_code


def test_rate_one_fails_every_matching_request_and_clearing_restores(nova_twin_clean):
    twin = nova_twin_clean
    twin.control.inject(mode="error", rate=1.0, status=503, methods=["GET"], path=r"/flavors")
    assert [_status(twin) for _ in range(3)] == [503, 503, 503]
    assert _status(twin, "/os-hypervisors") == 200  # the path filter leaves others alone
    twin.control.clear_faults()
    assert _status(twin) == 200


def test_same_seed_gives_same_failures(nova_twin_clean):
    twin = nova_twin_clean
    patterns = []
    for _ in range(2):
        twin.control.inject(mode="error", rate=0.5, status=500, methods=["GET"], path=r"/flavors", seed=7)
        patterns.append([_status(twin) for _ in range(12)])
    assert patterns[0] == patterns[1]
    assert {500, 200} == set(patterns[0])


def test_delay_slows_requests(nova_twin_clean):
    twin = nova_twin_clean
    twin.control.inject(mode="delay", rate=1.0, delay_s=0.6, path=r"/flavors")
    started = time.monotonic()
    assert _status(twin) == 200
    assert time.monotonic() - started >= 0.6


def test_lost_answer_still_performs_the_live_migration(nova_twin_clean):
    twin = nova_twin_clean
    server = twin.boot("lost-answer", flavor="t1.volume", host=twin.hosts[0])
    twin.control.inject(mode="lost", rate=1.0, status=500, methods=["POST"], path=r"/servers/[^/]+/action$")
    with pytest.raises(exceptions.HttpException) as caught:
        twin.conn.compute.live_migrate_server(server, host=twin.hosts[1])
    assert caught.value.status_code == 500
    twin.control.clear_faults()
    assert twin.wait_migration(server.id, ("completed", "error", "cancelled"), timeout=60).status == "completed"
    assert twin.wait_server(server.id).compute_host == twin.hosts[1]
    assert twin.control.live_migrate_posts(server.id) == 1
