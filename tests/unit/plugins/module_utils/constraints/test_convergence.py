"""WILL_NOT_CONVERGE: dirty rate against the usable bandwidth."""

import pytest

from ansible_collections.vmops.migration.plugins.module_utils.constraints.convergence import WillNotConverge
from tests.unit.clusters import judge

SLOW = {"migration_bandwidth_mibps": 100}
UNKNOWN = {"migration_bandwidth_mibps": None}


@pytest.mark.parametrize("kwargs, words", [
    pytest.param(dict(vm={"dirty_rate_mibps": 100}, target=SLOW), ["100 MiB/s", "compute-1", "force-complete"],
                 id="dirty-equals-target-bandwidth"),
    pytest.param(dict(vm={"dirty_rate_mibps": 150}, source=SLOW), ["150 MiB/s", "100 MiB/s"], id="slow-source"),
    pytest.param(dict(vm={"dirty_rate_mibps": 600}, source=UNKNOWN, target=UNKNOWN, migration_bandwidth_mibps=500),
                 ["500 MiB/s"], id="cloud-bandwidth"),
    pytest.param(dict(vm={"dirty_rate_mibps": 1500}, platform="kubevirt"), ["1500"], id="kubevirt"),
])
def test_rule_fires(kwargs, words):
    reasons = judge(WillNotConverge, **kwargs)
    assert [(r.code, r.severity, r.target) for r in reasons] == [("WILL_NOT_CONVERGE", "warn", "compute-1")]
    for word in words + ["vm"]:
        assert word in reasons[0].message


@pytest.mark.parametrize("kwargs", [
    pytest.param(dict(vm={"dirty_rate_mibps": 99}, target=SLOW), id="just-below"),
    pytest.param(dict(vm={"dirty_rate_mibps": None}, target=SLOW), id="dirty-rate-unknown"),
    pytest.param(dict(vm={"dirty_rate_mibps": 600}, source=UNKNOWN, target=UNKNOWN), id="cloud-default-1000"),
])
def test_near_miss(kwargs):
    assert judge(WillNotConverge, **kwargs) == []
