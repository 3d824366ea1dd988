# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster snapshot (contracts/snapshot.schema.json, v1) read from Nova, Placement and Neutron.

Pure converters turn Nova's documented JSON into snapshot fields; `build_snapshot` joins them;
the `fetch_*` functions are the only code here that calls an API, and fetch in parallel.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from ansible_collections.vmops.migration.plugins.module_utils import hostnames
from ansible_collections.vmops.migration.plugins.module_utils import openstack as nova_module
from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError
from ansible_collections.vmops.migration.plugins.module_utils.nova_api import get_all, get_json
from ansible_collections.vmops.migration.plugins.module_utils.nova_migrations import (
    IN_PROGRESS_STATUSES, MIGRATIONS_MICROVERSION, fetch_migrations,
)
from ansible_collections.vmops.migration.plugins.module_utils.snapshot import (
    CPU_POLICIES, GROUP_POLICIES, SNAPSHOT_VERSION, parse_snapshot,
)

# 2.53: services and hypervisors by UUID, servers with their flavor embedded (2.47). Hypervisor
# cpu_info, vcpus, memory_mb and local_gb are dropped from 2.88 on, so never ask for more.
FACTS_MICROVERSION = "2.53"
# 1.6 adds resource provider traits.
PLACEMENT_MICROVERSION = "1.6"
# Reading migrations needs more than the rest.
REQUIRED_MICROVERSION = MIGRATIONS_MICROVERSION
CONFIG_DRIVE_FORMATS = ("iso9660", "vfat")
# Masakari's instance-HA switch.
HA_METADATA_KEY = "HA_Enabled"
# Our own key first; the twin's simulated dirty rate second.
DIRTY_RATE_METADATA_KEYS = ("vmops:dirty_rate_mibps", "sim_dirty_mibps")
# Neutron vnic types served by a VF or a passed-through device rather than a virtual switch.
SRIOV_VNIC_TYPES = (
    "direct", "direct-physical", "macvtap", "virtio-forwarder", "vdpa", "remote-managed",
    "accelerator-direct", "accelerator-direct-physical",
)
PORT_FIELDS = ("id", "device_id", "binding:vnic_type", "resource_request")
_TRUE = ("true", "1", "yes", "on")
_WORKERS = 8


def _truthy(value):
    return value is True or str(value).strip().lower() in _TRUE


def _number(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


# Converters: API JSON -> snapshot fields. No I/O.

def cpu_fields(cpu_info):
    """Hypervisor `cpu_info` (an object, or a JSON string before microversion 2.28) -> CPU fields."""
    if isinstance(cpu_info, str):
        try:
            cpu_info = json.loads(cpu_info) if cpu_info else {}
        except ValueError:
            cpu_info = {}
    if not isinstance(cpu_info, dict):
        cpu_info = {}
    fields = {
        "cpu_vendor": cpu_info.get("vendor"),
        "cpu_model": cpu_info.get("model"),
        "cpu_features": sorted(cpu_info.get("features") or []),
    }
    # The contract has no null architecture: leave it out when the driver does not say.
    if cpu_info.get("arch"):
        fields["cpu_arch"] = cpu_info["arch"]
    return fields


def service_fields(service):
    """os-services entry -> host state fields."""
    return {
        "state": service.get("state") or "down",
        "status": service.get("status") or "enabled",
        "disabled_reason": service.get("disabled_reason"),
        "forced_down": bool(service.get("forced_down")),
    }


def capacity_fields(hypervisor):
    """os-hypervisors detail entry (microversion < 2.88) -> host capacity."""
    return {
        "vcpus": int(hypervisor.get("vcpus") or 0),
        "memory_mib": int(hypervisor.get("memory_mb") or 0),
        "disk_gib": hypervisor.get("local_gb") or 0,
    }


def placement_fields(inventories, usages, traits):
    """A resource provider's inventories, usages and traits -> allocation ratios, reserved
    memory, traits and `placement_usage` (resource class -> amount allocated, moves included)."""
    fields = {"traits": sorted(traits), "placement_usage": dict(usages)}
    ratios = {"VCPU": "cpu_allocation_ratio", "MEMORY_MB": "ram_allocation_ratio", "DISK_GB": "disk_allocation_ratio"}
    for resource_class, name in ratios.items():
        if resource_class in inventories:
            fields[name] = inventories[resource_class].get("allocation_ratio", 1.0)
    if "MEMORY_MB" in inventories:
        fields["reserved_memory_mib"] = inventories["MEMORY_MB"].get("reserved", 0)
    return fields


def aggregate_fields(aggregates):
    """os-aggregates entries -> host name -> aggregates, merged metadata and availability zone.

    A metadata key set differently by two aggregates of one host keeps every value, sorted and
    comma-separated, as Nova's aggregate filters see a set of values per key.
    """
    by_host = {}
    for aggregate in sorted(aggregates, key=lambda entry: entry.get("name") or ""):
        metadata = dict(aggregate.get("metadata") or {})
        metadata.pop("availability_zone", None)
        for host in aggregate.get("hosts") or []:
            entry = by_host.setdefault(host, {"aggregates": [], "metadata": {}, "availability_zone": None})
            entry["aggregates"].append(aggregate["name"])
            for key, value in metadata.items():
                entry["metadata"].setdefault(key, set()).add(str(value))
            entry["availability_zone"] = aggregate.get("availability_zone") or entry["availability_zone"]
    return {
        host: {
            "aggregates": entry["aggregates"],
            "aggregate_metadata": {key: ",".join(sorted(values)) for key, values in entry["metadata"].items()},
            "availability_zone": entry["availability_zone"],
        }
        for host, entry in by_host.items()
    }


def cpu_policy(extra_specs):
    """`hw:cpu_policy`, or the policy implied by `resources:PCPU` (Train and later)."""
    policy = extra_specs.get("hw:cpu_policy")
    if policy in CPU_POLICIES:
        return policy
    if _number(extra_specs.get("resources:PCPU")):
        return "mixed" if _number(extra_specs.get("resources:VCPU")) else "dedicated"
    return "shared"


def pci_aliases(spec):
    """`pci_passthrough:alias` ("gpu:2,nic:1") -> alias names."""
    if not spec:
        return []
    return [item.split(":", 1)[0].strip() for item in str(spec).split(",") if item.strip()]


def flavor_fields(flavor, boot_from_volume):
    """Embedded server flavor (microversion 2.47+) -> size, local disk and CPU/NUMA fields."""
    specs = flavor.get("extra_specs") or {}
    # `swap` is "" when the flavor has none; a volume-backed root disk is not local.
    root_gib = 0 if boot_from_volume else flavor.get("disk") or 0
    local_gib = root_gib + (flavor.get("ephemeral") or 0) + (flavor.get("swap") or 0) / 1024
    numa_nodes = _number(specs.get("hw:numa_nodes"))
    return {
        "vcpus": flavor.get("vcpus") or 0,
        "memory_mib": flavor.get("ram") or 0,
        "disk_gib": local_gib,
        "cpu_policy": cpu_policy(specs),
        "numa_nodes": int(numa_nodes) if numa_nodes and numa_nodes >= 1 else None,
        "hugepages": specs.get("hw:mem_page_size"),
        "pci_passthrough": pci_aliases(specs.get("pci_passthrough:alias")),
    }


def dirty_rate(metadata):
    for key in DIRTY_RATE_METADATA_KEYS:
        rate = _number(metadata.get(key))
        if rate is not None:
            return rate
    return None


def instance_fields(server, config_drive_format="iso9660"):
    """servers/detail entry -> snapshot instance, without group, port and migration facts.

    The API does not tell the config drive's format (nova.conf `config_drive_format`, default
    iso9660), so the caller says which one the cloud uses.
    """
    metadata = server.get("metadata") or {}
    # A volume-backed server has no image: "" in the API.
    boot_from_volume = not server.get("image")
    fields = {
        "id": server["id"],
        "name": server.get("name"),
        "host": server.get("OS-EXT-SRV-ATTR:host"),
        "instance_name": server.get("OS-EXT-SRV-ATTR:instance_name"),  # the libvirt domain, for placement checks
        "status": server.get("status") or "UNKNOWN",
        "task_state": server.get("OS-EXT-STS:task_state"),
        "boot_from_volume": boot_from_volume,
        "config_drive": config_drive_format if _truthy(server.get("config_drive")) else "none",
        "ha_enabled": _truthy(metadata.get(HA_METADATA_KEY)),
        "dirty_rate_mibps": dirty_rate(metadata),
    }
    fields.update(flavor_fields(server.get("flavor") or {}, boot_from_volume))
    return fields


def groups_by_member(server_groups):
    """os-server-groups entries -> server id -> {id, policy} (`policies` before 2.64, `policy` after)."""
    members = {}
    for group in server_groups:
        policy = group.get("policy") or (group.get("policies") or [None])[0]
        if policy not in GROUP_POLICIES:
            continue
        for member in group.get("members") or []:
            members[member] = {"id": group["id"], "policy": policy}
    return members


def ports_by_device(ports):
    """Neutron ports -> server id -> SR-IOV ports and whether any port carries a resource request."""
    devices = {}
    for port in ports:
        if not port.get("device_id"):
            continue
        entry = devices.setdefault(port["device_id"], {"sriov_ports": [], "port_resource_request": False})
        if port.get("binding:vnic_type") in SRIOV_VNIC_TYPES:
            entry["sriov_ports"].append({"id": port.get("id"), "vnic_type": port["binding:vnic_type"]})
        entry["port_resource_request"] = entry["port_resource_request"] or bool(port.get("resource_request"))
    return devices


def select_hosts(service_hosts, wanted):
    """The compute hosts to include: all, or the resolved `hosts` option."""
    return list(service_hosts) if wanted is None else hostnames.resolve(wanted, service_hosts, "hosts")


def host_bandwidths(per_host, known):
    """`host_migration_bandwidth_mibps` -> resolved host name -> MiB/s."""
    bandwidths = {}
    for name, value in (per_host or {}).items():
        rate = _number(value)
        if not rate:
            raise InputError("host_migration_bandwidth_mibps", "%s: must be a number > 0, got %r" % (name, value))
        bandwidths[hostnames.resolve([name], known, "host_migration_bandwidth_mibps")[0]] = rate
    return bandwidths


def compute_nodes(hypervisors, services):
    """service host -> (its nova-compute service, its first hypervisor); libvirt has one each."""
    services_by_id = {service["id"]: service for service in services if service.get("binary") == "nova-compute"}
    nodes = {}
    for hypervisor in hypervisors:
        service = services_by_id.get((hypervisor.get("service") or {}).get("id"))
        if service is not None:
            nodes.setdefault(service["host"], (service, hypervisor))
    return nodes


def host_entry(name, service, hypervisor, placement, aggregates, bandwidth):
    host = {"name": name, "cell": None, "version": None}
    host.update(capacity_fields(hypervisor))
    host.update(service_fields(service))
    host.update(cpu_fields(hypervisor.get("cpu_info")))
    grouping = aggregates.get(name, {})
    host["aggregates"] = grouping.get("aggregates", [])
    host["aggregate_metadata"] = grouping.get("aggregate_metadata", {})
    host["availability_zone"] = grouping.get("availability_zone") or service.get("zone")
    if placement is not None:
        host.update(placement_fields(**placement))
    if bandwidth is not None:
        host["migration_bandwidth_mibps"] = bandwidth
    return host


def build_snapshot(data, hosts=None, host_bandwidth=None, migration_bandwidth_mibps=None,
                   config_drive_format="iso9660", taken_at=None):
    """A snapshot v1 dict from fetched API data (see `fetch_cluster`); no I/O.

    `data["placement"]` maps hypervisor (resource provider) ids to their inventories, usages and
    traits; `data["ports"]` is None when Neutron was not read. Instances on hosts left out (or
    with no host, such as shelved-offloaded ones) are left out too.
    """
    nodes = compute_nodes(data["hypervisors"], data["services"])
    selected = select_hosts(sorted(nodes), hosts)
    bandwidths = host_bandwidths(host_bandwidth, sorted(nodes))
    aggregates = aggregate_fields(data["aggregates"])
    snapshot_hosts = []
    for name in selected:
        service, hypervisor = nodes[name]
        snapshot_hosts.append(host_entry(name, service, hypervisor, data["placement"].get(hypervisor["id"]),
                                         aggregates, bandwidths.get(name)))
    groups = groups_by_member(data["server_groups"])
    ports = ports_by_device(data["ports"]) if data["ports"] is not None else {}
    in_progress = set(data["migrating_server_ids"])
    instances = []
    for server in data["servers"]:
        instance = instance_fields(server, config_drive_format)
        if instance["host"] not in selected:
            continue
        instance["cell"] = None
        instance["server_group"] = groups.get(server["id"])
        instance["migration_in_progress"] = server["id"] in in_progress
        instance.update(ports.get(server["id"], {}))
        instances.append(instance)
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "platform": "nova",
        "taken_at": taken_at or datetime.now(timezone.utc).isoformat(),
        "settings": {} if migration_bandwidth_mibps is None else {"migration_bandwidth_mibps": migration_bandwidth_mibps},
        "hosts": snapshot_hosts,
        "instances": sorted(instances, key=lambda entry: (entry["host"], entry.get("name") or "", entry["id"])),
    }
    parse_snapshot(snapshot)
    return snapshot


# Fetching: thin, parallel.

def fetch_cluster(conn, hosts=None, gather_ports=True):
    """Everything `build_snapshot` reads. Placement is read only for the wanted hosts.

    Returns (data, warnings).
    """
    compute = conn.compute
    lists = {
        "hypervisors": lambda: get_all(compute, "/os-hypervisors/detail", "hypervisors", FACTS_MICROVERSION),
        "services": lambda: get_all(compute, "/os-services", "services", FACTS_MICROVERSION, {"binary": "nova-compute"}),
        "servers": lambda: get_all(compute, "/servers/detail", "servers", FACTS_MICROVERSION, {"all_tenants": 1}),
        "server_groups": lambda: get_all(compute, "/os-server-groups", "server_groups", FACTS_MICROVERSION,
                                         {"all_projects": 1}),
        "aggregates": lambda: get_all(compute, "/os-aggregates", "aggregates", FACTS_MICROVERSION),
        "migrations": lambda: fetch_migrations(conn, statuses=IN_PROGRESS_STATUSES),
        "ports": lambda: fetch_ports(conn) if gather_ports else None,
    }
    with ThreadPoolExecutor(max_workers=len(lists)) as pool:
        futures = {name: pool.submit(fetch) for name, fetch in lists.items()}
        data = {name: future.result() for name, future in futures.items()}
    warnings = []
    if gather_ports and data["ports"] is None:
        warnings.append("Neutron (network) endpoint not found: SR-IOV ports and port resource requests were not read")
    data["migrating_server_ids"] = sorted({migration["instance_uuid"] for migration in data.pop("migrations")})
    nodes = compute_nodes(data["hypervisors"], data["services"])
    wanted = select_hosts(sorted(nodes), hosts)
    data["placement"] = fetch_placement(conn, [nodes[name][1]["id"] for name in wanted])
    return data, warnings


def fetch_placement(conn, provider_ids):
    """resource provider id -> {inventories, usages, traits}."""
    def read(provider_id):
        base = "/resource_providers/%s" % provider_id
        return {
            "inventories": get_json(conn.placement, base + "/inventories", PLACEMENT_MICROVERSION)["inventories"],
            "usages": get_json(conn.placement, base + "/usages", PLACEMENT_MICROVERSION)["usages"],
            "traits": get_json(conn.placement, base + "/traits", PLACEMENT_MICROVERSION)["traits"],
        }

    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        return dict(zip(provider_ids, pool.map(read, provider_ids)))


def fetch_ports(conn):
    """Every port bound to a server, or None when the cloud has no network endpoint."""
    # Neutron always serves /ports, so a 404 means the "network" endpoint is something else
    # (clouds without a catalog fall back to the auth endpoint); a catalog without "network"
    # makes openstacksdk disable the service.
    missing = (nova_module.sdk_exceptions.EndpointNotFound, nova_module.ksa_exceptions.EndpointNotFound,
               nova_module.sdk_exceptions.NotFoundException, nova_module.sdk_exceptions.ServiceDisabledException)
    try:
        return get_all(conn.network, "/ports", "ports", params={"fields": list(PORT_FIELDS)})
    except missing:
        return None


def cluster_facts(module):
    """The result of nova_cluster_facts."""
    params = module.params
    if params["migration_bandwidth_mibps"] is not None and params["migration_bandwidth_mibps"] <= 0:
        raise InputError("migration_bandwidth_mibps", "must be > 0, got %s" % params["migration_bandwidth_mibps"])
    nova_module.require_microversion(module.conn, REQUIRED_MICROVERSION, "nova_cluster_facts")
    data, warnings = fetch_cluster(module.conn, params["hosts"], params["gather_ports"])
    for warning in warnings:
        module.warn(warning)
    snapshot = build_snapshot(
        data, hosts=params["hosts"], host_bandwidth=params["host_migration_bandwidth_mibps"],
        migration_bandwidth_mibps=params["migration_bandwidth_mibps"],
        config_drive_format=params["config_drive_format"],
    )
    return {"changed": False, "snapshot": snapshot}
