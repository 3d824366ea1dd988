"""nova_compute_service against the Nova twin: check mode, apply, apply again; whose disable it is."""
import pytest

from tests.integration.plugins.modules.nova_module_runner import run_module



@pytest.fixture(scope="module")
def conn(nova_twin):
    return nova_twin.connect()


def compute_service(conn, host):
    return next(iter(conn.compute.services(binary="nova-compute", host=host)))


@pytest.fixture
def host(conn):
    """The last compute host, enabled again after the test whatever it did."""
    name = sorted(service.host for service in conn.compute.services(binary="nova-compute"))[-1]
    yield name
    service = compute_service(conn, name)
    if service.status == "disabled":
        conn.compute.enable_service(service)


def test_disable_check_apply_idempotent_enable(nova_twin, conn, host):
    wanted = dict(host=host, state="disabled", disabled_reason="drain:test-1")

    checked = run_module("nova_compute_service", nova_twin, check_mode=True, diff=True, **wanted)
    assert checked["changed"] is True
    assert checked["diff"]["before"]["status"] == "enabled"
    assert checked["diff"]["after"] == {"status": "disabled", "disabled_reason": "vmops:drain:test-1",
                                        "forced_down": False}
    assert compute_service(conn, host).status == "enabled"

    applied = run_module("nova_compute_service", nova_twin, diff=True, **wanted)
    assert applied["changed"] is True and applied["diff"]["after"]["status"] == "disabled"
    service = compute_service(conn, host)
    assert (service.status, service.disabled_reason) == ("disabled", "vmops:drain:test-1")

    again = run_module("nova_compute_service", nova_twin, diff=True, **wanted)
    assert again["changed"] is False
    assert again["diff"]["before"] == again["diff"]["after"]

    enabled = run_module("nova_compute_service", nova_twin, host=host, state="enabled")
    assert enabled["changed"] is True
    assert compute_service(conn, host).status == "enabled"


def test_someone_elses_disable_is_kept_without_force(nova_twin, conn, host):
    conn.compute.disable_service(compute_service(conn, host), disabled_reason="hardware ticket 42")

    refused = run_module("nova_compute_service", nova_twin, host=host, state="enabled")
    assert refused["failed"] is True
    assert "hardware ticket 42" in refused["msg"] and "force=true" in refused["msg"]
    assert compute_service(conn, host).status == "disabled"

    forced = run_module("nova_compute_service", nova_twin, host=host, state="enabled", force=True)
    assert forced["changed"] is True
    assert compute_service(conn, host).status == "enabled"


def test_forced_down_needs_fencing_and_clears(nova_twin, conn, host):
    refused = run_module("nova_compute_service", nova_twin, host=host, forced_down=True)
    assert refused["failed"] is True and "host_fenced=true" in refused["msg"]
    assert compute_service(conn, host).is_forced_down is False

    checked = run_module("nova_compute_service", nova_twin, check_mode=True, host=host, forced_down=True, host_fenced=True)
    assert checked["changed"] is True
    assert compute_service(conn, host).is_forced_down is False

    try:
        assert run_module("nova_compute_service", nova_twin, host=host, forced_down=True, host_fenced=True)["changed"]
        assert compute_service(conn, host).is_forced_down is True
    finally:
        cleared = run_module("nova_compute_service", nova_twin, host=host, forced_down=False)
    assert cleared["changed"] is True
    assert compute_service(conn, host).is_forced_down is False


def test_unknown_host_fails_clearly(nova_twin):
    result = run_module("nova_compute_service", nova_twin, host="no-such-compute", state="disabled")
    assert result["failed"] is True and "no-such-compute" in result["msg"]
