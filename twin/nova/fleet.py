"""What the twin starts with: hosts, aggregates, flavors and seed servers.

A fleet file (JSON, or YAML when it ends in .yml/.yaml) may give any of the four lists; what
it leaves out comes from the defaults below, sized by --computes and --servers. Its `libvirt`
mapping sets nova.conf [libvirt] options of every compute, e.g.
`{"live_migration_completion_timeout": 10}` (seconds per GiB, then the timeout action runs).
"""
import dataclasses
import json

DEFAULT_CPU = {
    "arch": "x86_64",
    "model": "Cascadelake-Server",
    "vendor": "Intel",
    "features": ["sse4.2", "avx", "avx2", "avx512f", "aes", "vmx", "pdpe1gb"],
}

# Named so they cannot clash with the m1.* flavors Nova's fixtures create.
DEFAULT_FLAVORS = [
    {"name": "t1.small", "vcpus": 1, "ram": 2048, "disk": 20},
    {"name": "t1.medium", "vcpus": 2, "ram": 4096, "disk": 40},
    {"name": "t1.large", "vcpus": 4, "ram": 8192, "disk": 80},
    {"name": "t1.volume", "vcpus": 2, "ram": 4096, "disk": 0},
    {"name": "t1.pinned", "vcpus": 4, "ram": 8192, "disk": 20, "extra_specs": {"hw:cpu_policy": "dedicated"}},
    {"name": "t1.hugepages", "vcpus": 2, "ram": 4096, "disk": 20, "extra_specs": {"hw:mem_page_size": "large"}},
]

# Every tenth seed server is stopped; the rest cycle through this mix.
_SEED_MIX = ["t1.small", "t1.medium", "t1.volume", "t1.large", "t1.small", "t1.pinned", "t1.medium", "t1.hugepages"]


@dataclasses.dataclass
class HostSpec:
    name: str
    vcpus: int = 64
    memory_mb: int = 262144
    local_gb: int = 2000
    numa_nodes: int = 2
    cpu: dict = dataclasses.field(default_factory=lambda: dict(DEFAULT_CPU))
    bandwidth_mibps: float = 1000.0

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass
class ServerSpec:
    name: str
    flavor: str
    host: str
    metadata: dict = dataclasses.field(default_factory=dict)
    status: str = "ACTIVE"
    volume_backed: bool = False


@dataclasses.dataclass
class Fleet:
    hosts: list
    flavors: list
    aggregates: list
    servers: list
    libvirt: dict = dataclasses.field(default_factory=dict)

    def host(self, name):
        return next(h for h in self.hosts if h.name == name)


def host_spec(entry, defaults=None):
    fields = dict(defaults or {})
    fields.update(entry)
    cpu = dict(DEFAULT_CPU)
    cpu.update(fields.pop("cpu", {}))
    known = {f.name for f in dataclasses.fields(HostSpec)}
    unknown = set(fields) - known
    if unknown:
        raise ValueError("unknown host option(s) %s for %s" % (sorted(unknown), fields.get("name")))
    return HostSpec(cpu=cpu, **fields)


def load(path=None, computes=6, servers=40):
    doc = _read(path) if path else {}
    defaults = doc.get("host_defaults", {})
    hosts = [host_spec(h, defaults) for h in doc.get("hosts", [])] or [
        host_spec({"name": "compute-%d" % i}, defaults) for i in range(computes)
    ]
    flavors = DEFAULT_FLAVORS + doc.get("flavors", [])
    volume_flavors = {f["name"] for f in flavors if not f.get("disk")}
    if "servers" in doc:
        seed = [_server_spec(s, volume_flavors) for s in doc["servers"]]
    else:
        seed = _default_servers(hosts, servers, volume_flavors)
    fleet = Fleet(hosts=hosts, flavors=flavors, aggregates=doc.get("aggregates", []), servers=seed,
                  libvirt=dict(doc.get("libvirt", {})))
    _check(fleet)
    return fleet


def _read(path):
    with open(path, encoding="utf-8") as f:
        if path.endswith((".yml", ".yaml")):
            import yaml  # only the twin's venv is guaranteed to have it

            return yaml.safe_load(f) or {}
        return json.load(f)


def _server_spec(entry, volume_flavors):
    entry = dict(entry)
    entry.setdefault("volume_backed", entry["flavor"] in volume_flavors)
    entry["metadata"] = {k: str(v) for k, v in entry.get("metadata", {}).items()}
    return ServerSpec(**entry)


def _default_servers(hosts, count, volume_flavors):
    seed = []
    for i in range(count):
        flavor = _SEED_MIX[i % len(_SEED_MIX)]
        seed.append(
            ServerSpec(
                name="vm-%03d" % i,
                flavor=flavor,
                host=hosts[i % len(hosts)].name,
                status="SHUTOFF" if i % 10 == 9 else "ACTIVE",
                volume_backed=flavor in volume_flavors,
            )
        )
    return seed


def _check(fleet):
    names = [h.name for h in fleet.hosts]
    if len(set(names)) != len(names):
        raise ValueError("duplicate host names in fleet")
    flavors = {f["name"] for f in fleet.flavors}
    for server in fleet.servers:
        if server.host not in names:
            raise ValueError("server %s is on unknown host %s" % (server.name, server.host))
        if server.flavor not in flavors:
            raise ValueError("server %s has unknown flavor %s" % (server.name, server.flavor))
    for aggregate in fleet.aggregates:
        for host in aggregate.get("hosts", []):
            if host not in names:
                raise ValueError("aggregate %s lists unknown host %s" % (aggregate["name"], host))
