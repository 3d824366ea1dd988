"""Small clusters built by name for unit tests: dicts first (what users write), then parsed."""

from ansible_collections.vmops.migration.plugins.module_utils.capacity import Capacity
from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import LIVE, MoveContext
from ansible_collections.vmops.migration.plugins.module_utils.snapshot import parse_snapshot


def host(name, **fields):
    """A 32-CPU, 128 GiB, 1 TB x86_64 compute, up and enabled, unless told otherwise."""
    data = {"name": name, "vcpus": 32, "memory_mib": 131072, "disk_gib": 1000, "cpu_arch": "x86_64",
            "cpu_vendor": "Intel", "cpu_model": "Cascadelake-Server", "cpu_features": ["avx2", "sse4_2"],
            "cell": "cell1", "version": "34.0.0", "migration_bandwidth_mibps": 1000}
    data.update(fields)
    return data


def instance(id, host, **fields):
    """A 2-vCPU, 4 GiB ACTIVE guest on shared storage, unless told otherwise."""
    data = {"id": id, "name": id, "host": host, "vcpus": 2, "memory_mib": 4096, "disk_gib": 20,
            "shared_storage": True, "status": "ACTIVE", "dirty_rate_mibps": 20}
    data.update(fields)
    return data


def snapshot_dict(hosts, instances, platform="nova", **settings):
    return {"version": 1, "platform": platform, "settings": settings, "hosts": hosts, "instances": instances}


def snapshot(hosts, instances, platform="nova", **settings):
    return parse_snapshot(snapshot_dict(hosts, instances, platform, **settings))


def move(snap, instance_id, target=None, move_type=LIVE, capacity=None, placement=None):
    """The MoveContext of moving `instance_id` to `target` on `snap`."""
    inst = snap.instance_by_id[instance_id]
    return MoveContext(
        snapshot=snap, instance=inst, source=snap.host_by_name[inst.host],
        target=snap.host_by_name[target] if target else None, move_type=move_type,
        capacity=capacity or Capacity(snap), placement=placement or {},
    )


def cluster(description):
    """Named clusters shared by tests, e.g. cluster("4 hosts, one NUMA-pinned guest")."""
    return parse_snapshot(CLUSTERS[description]())


def _four_hosts_numa_pinned():
    numa = [{"id": 0, "cpus": 16, "memory_mib": 65536, "pinned_cpus_free": 8, "hugepages_free": {"2048": 4096}},
            {"id": 1, "cpus": 16, "memory_mib": 65536, "pinned_cpus_free": 8, "hugepages_free": {"2048": 4096}}]
    hosts = [host("compute-%d" % i, numa_nodes=numa, cpu_dedicated_set="8-15,24-31") for i in range(4)]
    instances = [instance("pinned", "compute-0", cpu_policy="dedicated", vcpus=4, numa_nodes=1),
                 instance("plain-a", "compute-0"), instance("plain-b", "compute-1")]
    return snapshot_dict(hosts, instances, numa_live_migration=True,
                         scheduler_filters=["AggregateInstanceExtraSpecsFilter", "NUMATopologyFilter"])


def _three_hosts_plain():
    hosts = [host("compute-%d" % i) for i in range(3)]
    instances = [instance("vm-%d" % i, "compute-%d" % (i % 3)) for i in range(9)]
    return snapshot_dict(hosts, instances)


CLUSTERS = {
    "4 hosts, one NUMA-pinned guest": _four_hosts_numa_pinned,
    "3 hosts, 9 plain guests": _three_hosts_plain,
}


def judge(rule_class, source=None, target=None, vm=None, move_type=LIVE, platform="nova", others=(), hosts=(),
          placement=None, **settings):
    """Reasons `rule_class` gives for moving guest "vm" from compute-0 (`source` fields) to
    compute-1 (`target` fields; target=False judges the instance alone). `others` are extra
    instance dicts, `hosts` extra host dicts; `settings` are snapshot settings."""
    all_hosts = [host("compute-0", **(source or {}))]
    if target is not False:
        all_hosts.append(host("compute-1", **(target or {})))
    all_hosts.extend(hosts)
    snap = snapshot(all_hosts, [instance("vm", "compute-0", **(vm or {}))] + list(others), platform, **settings)
    ctx = move(snap, "vm", None if target is False else "compute-1", move_type, placement=placement)
    rule = rule_class()
    return rule.check(ctx) if rule.applies(ctx) else []


def codes(reasons):
    return [reason.code for reason in reasons]
