"""Deciding a compute service update: idempotence, whose disable it is, forced_down safety."""
import pytest

from ansible_collections.vmops.migration.plugins.module_utils.nova_services import plan_update, state_after

ENABLED = {"host": "c0", "status": "enabled", "disabled_reason": None, "forced_down": False}
OURS = dict(ENABLED, status="disabled", disabled_reason="vmops:drain:1")
THEIRS = dict(ENABLED, status="disabled", disabled_reason="hardware ticket 42")


@pytest.mark.parametrize("service, wanted, body", [
    (ENABLED, {"state": "disabled", "disabled_reason": "drain:1"}, {"status": "disabled", "disabled_reason": "vmops:drain:1"}),
    (OURS, {"state": "disabled", "disabled_reason": "vmops:drain:1"}, {}),
    (OURS, {"state": "disabled", "disabled_reason": "drain:2"}, {"status": "disabled", "disabled_reason": "vmops:drain:2"}),
    (THEIRS, {"state": "disabled", "disabled_reason": "drain:2"}, {}),
    (THEIRS, {"state": "disabled", "disabled_reason": "drain:2", "force": True},
     {"status": "disabled", "disabled_reason": "vmops:drain:2"}),
    (OURS, {"state": "enabled"}, {"status": "enabled"}),
    (ENABLED, {"state": "enabled"}, {}),
    (THEIRS, {"state": "enabled", "force": True}, {"status": "enabled"}),
    (ENABLED, {"forced_down": True, "host_fenced": True}, {"forced_down": True}),
    (dict(ENABLED, forced_down=True), {"forced_down": False}, {"forced_down": False}),
    (ENABLED, {"forced_down": False}, {}),
])
def test_plan_update(service, wanted, body):
    assert plan_update(service, **wanted) == (body, [])


@pytest.mark.parametrize("service, wanted, mentions", [
    (THEIRS, {"state": "enabled"}, ['"hardware ticket 42"', "force=true"]),
    (dict(THEIRS, disabled_reason=None), {"state": "enabled"}, ["none given"]),
    (ENABLED, {"forced_down": True}, ["split brain", "host_fenced=true"]),
])
def test_plan_update_refuses(service, wanted, mentions):
    unused_update, problems = plan_update(service, **wanted)
    assert len(problems) == 1
    assert all(text in problems[0] for text in mentions)


def test_plan_update_reports_every_problem():
    unused_update, problems = plan_update(THEIRS, state="enabled", forced_down=True)
    assert len(problems) == 2


def test_state_after_enable_clears_reason():
    assert state_after(OURS, {"status": "enabled"})["disabled_reason"] is None
