"""nova_apply_plan's defaults from the plan: per-host source limits and the gathered timeout policy."""
import pytest

from ansible_collections.vmops.migration.plugins.module_utils.executor import Move
from ansible_collections.vmops.migration.plugins.module_utils.nova_plan_apply import per_source_hosts, with_timeout_policy

PLANNED = {"instance": "vm", "source": "a", "target": "b", "type": "live", "timeout_seconds": 1600.0,
           "timeout_action": "force_complete"}


@pytest.mark.parametrize("params, expected", [
    ({}, (1600.0, "force_complete")),  # the plan's, from the source's nova.conf
    ({"move_timeout": 60.0, "on_timeout": "abort"}, (60.0, "abort")),  # the caller's win
    ({"move_timeout": 0.0}, (0.0, "force_complete")),
])
def test_timeout_policy_from_the_plan_unless_the_caller_sets_it(params, expected):
    move = with_timeout_policy(Move("vm", "a", "b"), PLANNED, params)
    assert (move.timeout_s, move.timeout_action) == expected


def test_without_gathered_settings_the_executor_defaults_stay():
    move = with_timeout_policy(Move("vm", "a", "b", memory_mib=4096), {"instance": "vm"}, {})
    assert move.timeout_s is None and move.timeout_action is None


@pytest.mark.parametrize("params, expected", [({}, {"a": 2}), ({"max_per_source": 1}, {})])
def test_per_source_hosts_from_the_plan_unless_the_caller_sets_a_limit(params, expected):
    plan = {"limits": {"per_source": 1, "per_source_hosts": {"a": 2}}}
    assert per_source_hosts(params, plan) == expected
