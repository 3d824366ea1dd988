"""Fleet files and defaults (no twin needed)."""
import json

import pytest

from twin.nova import fleet


def test_defaults_spread_servers_over_hosts_with_mixed_flavors():
    plan = fleet.load(None, computes=3, servers=20)
    assert [h.name for h in plan.hosts] == ["compute-0", "compute-1", "compute-2"]
    assert [s.host for s in plan.servers[:4]] == ["compute-0", "compute-1", "compute-2", "compute-0"]
    assert {"t1.pinned", "t1.hugepages", "t1.volume"} <= {s.flavor for s in plan.servers}
    assert [s.name for s in plan.servers if s.status == "SHUTOFF"] == ["vm-009", "vm-019"]
    assert all(s.volume_backed == (s.flavor == "t1.volume") for s in plan.servers)


def test_fleet_file_sets_hosts_aggregates_and_servers(tmp_path):
    doc = {
        "host_defaults": {"bandwidth_mibps": 2500},
        "hosts": [
            {"name": "a-1", "cpu": {"model": "Icelake-Server", "features": ["avx512f"]}},
            {"name": "b-1", "vcpus": 32, "numa_nodes": 1, "bandwidth_mibps": 500},
        ],
        "aggregates": [{"name": "fast", "availability_zone": "az-a", "hosts": ["a-1"], "metadata": {"ssd": "true"}}],
        "servers": [{"name": "db", "flavor": "t1.pinned", "host": "a-1", "metadata": {"sim_dirty_mibps": 300}}],
        "libvirt": {"live_migration_completion_timeout": 10},
    }
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(doc))
    plan = fleet.load(str(path))
    a, b = plan.hosts
    assert (a.bandwidth_mibps, b.bandwidth_mibps, b.vcpus) == (2500, 500, 32)
    assert a.cpu["model"] == "Icelake-Server" and a.cpu["vendor"] == "Intel"
    assert plan.servers[0].metadata == {"sim_dirty_mibps": "300"}
    assert plan.aggregates[0]["availability_zone"] == "az-a"
    assert plan.libvirt == {"live_migration_completion_timeout": 10}


@pytest.mark.parametrize("doc, message", [
    ({"hosts": [{"name": "x"}, {"name": "x"}]}, "duplicate"),
    ({"hosts": [{"name": "x", "gpus": 1}]}, "unknown host option"),
    ({"servers": [{"name": "s", "flavor": "t1.small", "host": "nowhere"}]}, "unknown host"),
    ({"servers": [{"name": "s", "flavor": "huge", "host": "compute-0"}]}, "unknown flavor"),
])
def test_bad_fleet_files_are_refused(tmp_path, doc, message):
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=message):
        fleet.load(str(path))
