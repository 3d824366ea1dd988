"""Seeded synthetic Nova clusters for examples, tests and benchmarks (snapshot v1 dicts).

`python benchmarks/synthetic.py HOSTS INSTANCES [--seed N] [--load F]` prints one. Hosts come in
a few hardware profiles; guests are a mix of flavors (some pinned, some with huge pages, some
with local disk, a few SHUTOFF) with random dirty rates, packed to about `load` of RAM.

Optional knobs (defaults give the same clusters as always): `host_scale` shrinks every host
profile (for small, tightly packed clusters), `skew` spreads the hosts' fill from `load*(1+skew)`
on the first host down to `load*(1-skew)` on the last (pass more instances than fit to see it),
and `special=False` leaves out the pinned and huge-page guests.
"""

import argparse
import json
import random

PROFILES = [
    {"vcpus": 64, "memory_mib": 262144, "disk_gib": 2000, "cpu_model": "Cascadelake-Server"},
    {"vcpus": 48, "memory_mib": 196608, "disk_gib": 1500, "cpu_model": "Cascadelake-Server"},
    {"vcpus": 96, "memory_mib": 393216, "disk_gib": 3000, "cpu_model": "Icelake-Server"},
]
# Small flavors are the most common, as in real clouds.
FLAVOR_WEIGHTS = [30, 30, 20, 12, 8]
FLAVORS = [
    {"vcpus": 1, "memory_mib": 2048, "disk_gib": 20},
    {"vcpus": 2, "memory_mib": 4096, "disk_gib": 40},
    {"vcpus": 4, "memory_mib": 8192, "disk_gib": 80},
    {"vcpus": 8, "memory_mib": 16384, "disk_gib": 160},
    {"vcpus": 16, "memory_mib": 32768, "disk_gib": 160},
]


def _scaled(profile, scale):
    if scale == 1.0:
        return profile
    return dict(profile, vcpus=max(int(profile["vcpus"] * scale), 2), memory_mib=int(profile["memory_mib"] * scale),
                disk_gib=int(profile["disk_gib"] * scale))


def _host(index, rng, scale=1.0):
    profile = _scaled(PROFILES[index % len(PROFILES)], scale)
    half = profile["vcpus"] // 2
    numa = [{"id": node, "cpus": half, "memory_mib": profile["memory_mib"] // 2,
             "pinned_cpus_free": half // 2, "hugepages_free": {"2048": profile["memory_mib"] // 8 // 2}}
            for node in range(2)]
    return {
        "name": "compute-%d" % index, "state": "up", "status": "enabled", "cell": "cell1",
        "availability_zone": "nova", "version": "34.0.0", "cpu_arch": "x86_64", "cpu_vendor": "Intel",
        "cpu_model": profile["cpu_model"], "cpu_features": ["avx2", "sse4_2", "vmx"],
        "vcpus": profile["vcpus"], "cpu_allocation_ratio": 4.0, "memory_mib": profile["memory_mib"],
        "reserved_memory_mib": int(4096 * scale), "ram_allocation_ratio": 1.0, "disk_gib": profile["disk_gib"],
        "numa_nodes": numa, "migration_bandwidth_mibps": rng.choice([1000, 1250, 2500]),
    }


def _instance(index, host, rng, special_allowed=True):
    flavor = rng.choices(FLAVORS, FLAVOR_WEIGHTS)[0]
    special = rng.random()
    data = dict(flavor, id="%08x-0000-4000-8000-%012x" % (index, index), name="vm-%05d" % index, host=host,
                status="SHUTOFF" if rng.random() < 0.05 else "ACTIVE", cell="cell1",
                shared_storage=rng.random() < 0.7, cpu_util=round(rng.uniform(0.05, 0.9), 2),
                dirty_rate_mibps=round(rng.choice([5, 20, 50, 100, 200, 400]) * rng.uniform(0.5, 1.5), 1))
    if not special_allowed:
        pass
    elif special < 0.05:
        data.update(cpu_policy="dedicated", numa_nodes=1)
    elif special < 0.08:
        data.update(hugepages="2MB", numa_nodes=1)
    return data


def _fill(index, hosts, load, skew):
    """Fraction of host `index` to fill: `load`, or spread linearly by `skew` around it."""
    if not skew or hosts < 2:
        return load
    return min(max(load * (1 + skew * (1 - 2.0 * index / (hosts - 1))), 0.0), 0.98)


def cluster(hosts, instances, seed=0, load=0.6, host_scale=1.0, skew=0.0, special=True):
    """A snapshot dict with `hosts` hosts and up to `instances` guests packed to ~`load` of RAM."""
    rng = random.Random(seed)
    host_list = [_host(index, rng, host_scale) for index in range(hosts)]
    fill = {host["name"]: _fill(index, hosts, load, skew) for index, host in enumerate(host_list)}
    room = {host["name"]: (host["memory_mib"] - host["reserved_memory_mib"]) * fill[host["name"]] for host in host_list}
    vcpu_room = {host["name"]: host["vcpus"] * host["cpu_allocation_ratio"] * fill[host["name"]] for host in host_list}
    names = [host["name"] for host in host_list]
    guests = []
    for index in range(instances):
        guest = _instance(index, names[index % len(names)], rng, special)
        for offset in range(len(names)):
            name = names[(index + offset) % len(names)]
            if room[name] >= guest["memory_mib"] and vcpu_room[name] >= guest["vcpus"]:
                guest["host"] = name
                room[name] -= guest["memory_mib"]
                vcpu_room[name] -= guest["vcpus"]
                guests.append(guest)
                break
    return {
        "version": 1, "platform": "nova", "taken_at": "2026-11-25T00:00:00Z",
        "settings": {"numa_live_migration": True, "max_concurrent_live_migrations": 1,
                     "scheduler_filters": ["ComputeFilter", "AggregateInstanceExtraSpecsFilter", "NUMATopologyFilter"]},
        "hosts": host_list, "instances": guests,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hosts", type=int)
    parser.add_argument("instances", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--load", type=float, default=0.6)
    parser.add_argument("--host-scale", type=float, default=1.0)
    parser.add_argument("--skew", type=float, default=0.0)
    parser.add_argument("--no-special", dest="special", action="store_false")
    args = parser.parse_args()
    print(json.dumps(cluster(args.hosts, args.instances, args.seed, args.load, args.host_scale, args.skew, args.special),
                     indent=1))


if __name__ == "__main__":
    main()
