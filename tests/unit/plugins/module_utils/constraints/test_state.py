"""State rules: busy, broken or stopped instances, dead or living sources."""

import pytest

from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import COLD, EVACUATE, LIVE
from ansible_collections.vmops.migration.plugins.module_utils.constraints.state import (
    EvacuateSourceAlive, InstanceError, NotRunning, SourceServiceDown, TaskInProgress,
)
from tests.unit.clusters import judge

DEAD = {"state": "down", "forced_down": True}


@pytest.mark.parametrize("rule, kwargs, words", [
    pytest.param(TaskInProgress, dict(vm={"task_state": "resize_prep"}), ["resize_prep"], id="task-state"),
    pytest.param(TaskInProgress, dict(vm={"migration_in_progress": True}, move_type=COLD), ["migration in progress"],
                 id="migration-in-flight"),
    pytest.param(InstanceError, dict(vm={"status": "ERROR"}), ["ERROR"], id="error"),
    pytest.param(InstanceError, dict(vm={"status": "ERROR"}, move_type=COLD), ["ERROR"], id="error-cold"),
    pytest.param(NotRunning, dict(vm={"status": "SHUTOFF"}), ["SHUTOFF", "cold migration instead of live"], id="shutoff"),
    pytest.param(NotRunning, dict(vm={"status": "SUSPENDED"}), ["SUSPENDED"], id="suspended"),
    pytest.param(SourceServiceDown, dict(source={"state": "down"}), ["compute-0", "evacuate instead"], id="down"),
    pytest.param(SourceServiceDown, dict(source={"forced_down": True}, move_type=COLD), ["forced down"], id="forced-down"),
    pytest.param(EvacuateSourceAlive, dict(move_type=EVACUATE), ["compute-0", "service is up"], id="alive"),
    pytest.param(EvacuateSourceAlive, dict(source={"state": "down"}, move_type=EVACUATE), ["not forced down"],
                 id="down-not-forced"),
    pytest.param(EvacuateSourceAlive, dict(source={"state": "down"}, move_type=EVACUATE,
                                           fencing_confirmed=["compute-9"]), ["not confirmed dead"], id="other-host-fenced"),
])
def test_rule_fires(rule, kwargs, words):
    reasons = judge(rule, target=False, **kwargs)
    assert [(r.code, r.severity, r.target) for r in reasons] == [(rule.code, rule.severity, None)]
    for word in words + ["vm"]:
        assert word in reasons[0].message


@pytest.mark.parametrize("rule, kwargs", [
    pytest.param(TaskInProgress, dict(), id="idle"),
    pytest.param(InstanceError, dict(vm={"status": "ERROR"}, move_type=EVACUATE, source=DEAD), id="error-evacuate"),
    pytest.param(InstanceError, dict(vm={"status": "ACTIVE"}), id="active"),
    pytest.param(NotRunning, dict(vm={"status": "PAUSED"}), id="paused"),
    pytest.param(NotRunning, dict(vm={"status": "SHUTOFF"}, move_type=COLD), id="shutoff-cold"),
    pytest.param(SourceServiceDown, dict(), id="up"),
    pytest.param(SourceServiceDown, dict(source=DEAD, move_type=EVACUATE), id="down-evacuate"),
    pytest.param(EvacuateSourceAlive, dict(source=DEAD, move_type=EVACUATE), id="dead"),
    pytest.param(EvacuateSourceAlive, dict(source={"state": "down"}, move_type=EVACUATE,
                                           fencing_confirmed=["compute-0"]), id="fenced-in-settings"),
    pytest.param(EvacuateSourceAlive, dict(source={"fencing_confirmed": True}, move_type=EVACUATE), id="fenced-on-host"),
    pytest.param(EvacuateSourceAlive, dict(move_type=LIVE), id="live"),
])
def test_near_miss(rule, kwargs):
    assert judge(rule, target=False, **kwargs) == []
