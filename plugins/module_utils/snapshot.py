# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster snapshot (contracts/snapshot.schema.json, v1) as typed objects.

Standard library only and free of I/O: modules, filters, the planner and scripts all read a
snapshot through `parse_snapshot`, which checks every field and reports every problem at once
with its JSON path. Fields this code does not know are kept in `extra` and written back by
`to_dict`, so a snapshot survives a round trip unchanged.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field

SNAPSHOT_VERSION = 1
PLATFORMS = ("nova", "kubevirt")
CPU_POLICIES = ("shared", "dedicated", "mixed")
CONFIG_DRIVES = ("none", "iso9660", "vfat")
GROUP_POLICIES = ("affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity")
RUNNING_STATES = ("ACTIVE", "PAUSED", "RUNNING", "Running")
STOPPED_STATES = ("SHUTOFF", "SUSPENDED", "STOPPED", "Stopped")


class SnapshotError(ValueError):
    """A snapshot that does not follow the contract; `problems` lists every `path: problem`.

    The message names the snapshot: it reaches people as a module's or a filter's error.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("snapshot: " + "; ".join(self.problems))


class _Invalid(Exception):
    def __init__(self, expectation):
        super().__init__(expectation)
        self.expectation = expectation


def _describe(value):
    return '"%s"' % value if isinstance(value, str) else repr(value)


# Checkers: each takes the raw value and returns it (possibly converted) or raises _Invalid
# with the expectation, so one message format serves every field.

def integer(minimum=None):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int) or (minimum is not None and value < minimum):
            raise _Invalid("must be an integer" + ("" if minimum is None else " >= %d" % minimum))
        return value
    return check


def number(minimum=None):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (minimum is not None and value < minimum):
            raise _Invalid("must be a number" + ("" if minimum is None else " >= %s" % minimum))
        return value
    return check


def string(value):
    if not isinstance(value, str):
        raise _Invalid("must be a string")
    return value


def non_empty_string(value):
    if not isinstance(value, str) or not value:
        raise _Invalid("must be a non-empty string")
    return value


def boolean(value):
    if not isinstance(value, bool):
        raise _Invalid("must be true or false")
    return value


def mapping(value):
    if not isinstance(value, dict):
        raise _Invalid("must be an object")
    return dict(value)


def one_of(*choices):
    def check(value):
        if value not in choices:
            raise _Invalid("must be one of %s" % ", ".join(choices))
        return value
    return check


def nullable(checker):
    def check(value):
        return None if value is None else checker(value)
    return check


def list_of(checker):
    def check(value):
        if not isinstance(value, list):
            raise _Invalid("must be a list")
        return [checker(item) for item in value]
    return check


def _spec(default=None, check=None, required=False, factory=None):
    """A dataclass field carrying its contract checker; `required` fields have no default."""
    meta = {"check": check, "required": required}
    # pylint: disable=invalid-field-call  # fields are built here and used in the class bodies below
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class NumaNode:
    id: int = _spec(0, integer(0))
    cpus: int = _spec(0, integer(0))
    memory_mib: int = _spec(0, integer(0))
    hugepages_free: dict = _spec(check=mapping, factory=dict)
    pinned_cpus_free: int | None = _spec(None, nullable(integer(0)))
    extra: dict = field(default_factory=dict)


@dataclass
class Host:
    name: str = _spec(check=non_empty_string, required=True)
    vcpus: int = _spec(check=integer(0), required=True)
    memory_mib: int = _spec(check=integer(0), required=True)
    state: str = _spec("up", one_of("up", "down"))
    status: str = _spec("enabled", one_of("enabled", "disabled"))
    disabled_reason: str | None = _spec(None, nullable(string))
    forced_down: bool = _spec(False, boolean)
    cell: str | None = _spec(None, nullable(string))
    availability_zone: str | None = _spec(None, nullable(string))
    aggregates: list = _spec(check=list_of(string), factory=list)
    aggregate_metadata: dict = _spec(check=mapping, factory=dict)
    traits: list = _spec(check=list_of(string), factory=list)
    version: str | None = _spec(None, nullable(string))
    cpu_arch: str | None = _spec(None, nullable(string))
    cpu_vendor: str | None = _spec(None, nullable(string))
    cpu_model: str | None = _spec(None, nullable(string))
    cpu_features: list = _spec(check=list_of(string), factory=list)
    cpu_allocation_ratio: float = _spec(1.0, number(0))
    cpu_shared_set: str | None = _spec(None, nullable(string))
    cpu_dedicated_set: str | None = _spec(None, nullable(string))
    reserved_memory_mib: int = _spec(0, integer(0))
    ram_allocation_ratio: float = _spec(1.0, number(0))
    disk_gib: float = _spec(0, number(0))
    disk_allocation_ratio: float = _spec(1.0, number(0))
    numa_nodes: list = _spec(factory=list)
    pci_devices_free: dict = _spec(check=mapping, factory=dict)
    dpdk: bool = _spec(False, boolean)
    migration_bandwidth_mibps: float | None = _spec(None, nullable(number(0)))
    cpu_util: float | None = _spec(None, nullable(number(0)))
    # Host-level facts gathered on the host itself (nova_host_config_facts).
    host_facts_gathered: bool = _spec(False, boolean)
    numa_live_migration: bool | None = _spec(None, nullable(boolean))
    max_concurrent_live_migrations: int | None = _spec(None, nullable(integer(0)))
    cpu_mode: str | None = _spec(None, nullable(string))
    cpu_models: list = _spec(check=list_of(string), factory=list)
    live_migration: dict | None = _spec(None, nullable(mapping))
    nic_numa_nodes: dict = _spec(check=mapping, factory=dict)
    # KubeVirt node facts.
    labels: dict = _spec(check=mapping, factory=dict)
    schedulable: bool = _spec(True, boolean)
    extra: dict = field(default_factory=dict)

    @property
    def is_up(self):
        return self.state == "up" and not self.forced_down

    @property
    def accepts_guests(self):
        """A scheduler would place new guests here: service up, enabled and not forced down."""
        return self.is_up and self.status == "enabled" and self.schedulable


@dataclass
class Instance:
    id: str = _spec(check=non_empty_string, required=True)
    host: str = _spec(check=non_empty_string, required=True)
    vcpus: int = _spec(check=integer(0), required=True)
    memory_mib: int = _spec(check=integer(0), required=True)
    name: str | None = _spec(None, nullable(string))
    cell: str | None = _spec(None, nullable(string))
    status: str = _spec("ACTIVE", string)
    task_state: str | None = _spec(None, nullable(string))
    migration_in_progress: bool = _spec(False, boolean)
    disk_gib: float = _spec(0, number(0))
    boot_from_volume: bool = _spec(False, boolean)
    shared_storage: bool = _spec(False, boolean)
    cpu_policy: str = _spec("shared", one_of(*CPU_POLICIES))
    cpu_mode: str | None = _spec(None, nullable(string))
    cpu_model: str | None = _spec(None, nullable(string))
    required_cpu_features: list = _spec(check=list_of(string), factory=list)
    numa_nodes: int | None = _spec(None, nullable(integer(1)))
    hugepages: str | None = _spec(None, nullable(string))
    dpdk: bool = _spec(False, boolean)
    pci_passthrough: list = _spec(check=list_of(string), factory=list)
    sriov_ports: list = _spec(check=list_of(mapping), factory=list)
    port_resource_request: bool = _spec(False, boolean)
    config_drive: str = _spec("none", one_of(*CONFIG_DRIVES))
    readonly_devices: list = _spec(check=list_of(string), factory=list)
    server_group: dict | None = _spec(None, nullable(mapping))
    ha_enabled: bool = _spec(False, boolean)
    live_migratable: dict | None = _spec(None, nullable(mapping))
    eviction_strategy: str | None = _spec(None, nullable(string))
    storage_access_modes: list = _spec(check=list_of(string), factory=list)
    cpu_util: float | None = _spec(None, nullable(number(0)))
    dirty_rate_mibps: float | None = _spec(None, nullable(number(0)))
    extra: dict = field(default_factory=dict)

    @property
    def label(self):
        """How reports name the instance: its name when it has one, with the id."""
        return "%s (%s)" % (self.name, self.id) if self.name and self.name != self.id else self.id

    @property
    def is_running(self):
        return self.status in RUNNING_STATES

    @property
    def is_stopped(self):
        """Stopped guests move by cold migration: there is no memory to copy."""
        return self.status in STOPPED_STATES

    @property
    def numa_bound(self):
        """Nova gives the guest a NUMA topology: explicit nodes, pinned CPUs or huge pages."""
        return bool(self.numa_nodes) or self.cpu_policy in ("dedicated", "mixed") or self.uses_hugepages

    @property
    def uses_hugepages(self):
        return self.hugepages not in (None, "", "small")

    @property
    def local_disk_gib(self):
        """Disk that a live migration must copy: none on shared storage or when booted from volume."""
        return 0 if self.shared_storage or self.boot_from_volume else self.disk_gib


@dataclass
class Settings:
    numa_live_migration: bool | None = _spec(None, nullable(boolean))
    scheduler_filters: list | None = _spec(None, nullable(list_of(string)))
    max_concurrent_live_migrations: int = _spec(1, integer(0))
    parallel_migrations_per_cluster: int = _spec(5, integer(1))
    parallel_outbound_migrations_per_node: int = _spec(2, integer(1))
    live_migration_downtime_ms: int = _spec(500, integer(0))
    completion_timeout_s_per_gib: int | None = _spec(None, nullable(integer(0)))
    sriov_live_migration: bool = _spec(True, boolean)
    migration_bandwidth_mibps: float = _spec(1000.0, number(0))
    migrate_authorized: bool | None = _spec(None, nullable(boolean))
    migration_network: str | None = _spec(None, nullable(string))
    allow_post_copy: bool = _spec(False, boolean)
    extra: dict = field(default_factory=dict)


@dataclass
class Snapshot:
    platform: str
    hosts: list
    instances: list
    settings: Settings
    taken_at: str | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self):
        self.host_by_name = {host.name: host for host in self.hosts}
        self.instance_by_id = {instance.id: instance for instance in self.instances}
        self._instances_by_host = {}
        for instance in self.instances:
            self._instances_by_host.setdefault(instance.host, []).append(instance)

    def instances_on(self, host_name):
        return list(self._instances_by_host.get(host_name, ()))

    @property
    def default_completion_timeout_s_per_gib(self):
        if self.settings.completion_timeout_s_per_gib is not None:
            return self.settings.completion_timeout_s_per_gib
        return 150 if self.platform == "kubevirt" else 800


def _parse_object(cls, data, path, problems):
    """Build `cls` from `data`, appending `path.field: problem` for every bad field."""
    if not isinstance(data, dict):
        problems.append("%s: must be an object, got %s" % (path, _describe(data)))
        return None
    known = {}
    for spec in dataclasses.fields(cls):
        if spec.name == "extra":
            continue
        where = "%s.%s" % (path, spec.name) if path else spec.name
        if spec.name not in data:
            if spec.metadata.get("required"):
                problems.append("%s: is required" % where)
            continue
        try:
            known[spec.name] = _check_field(cls, spec, data[spec.name], where, problems)
        except _Invalid as error:
            problems.append("%s: %s, got %s" % (where, error.expectation, _describe(data[spec.name])))
    if any(spec.metadata.get("required") and spec.name not in known for spec in dataclasses.fields(cls)):
        return None
    names = {spec.name for spec in dataclasses.fields(cls)}
    known["extra"] = {key: copy.deepcopy(value) for key, value in data.items() if key not in names}
    return cls(**known)


def _check_field(cls, spec, value, where, problems):
    if cls is Host and spec.name == "numa_nodes":
        if not isinstance(value, list):
            raise _Invalid("must be a list")
        nodes = [_parse_object(NumaNode, item, "%s[%d]" % (where, index), problems) for index, item in enumerate(value)]
        return [node for node in nodes if node is not None]
    return spec.metadata["check"](value)


def parse_snapshot(data):
    """Return a `Snapshot` for a v1 snapshot dict, or raise `SnapshotError` naming every problem."""
    problems = []
    if not isinstance(data, dict):
        raise SnapshotError(["snapshot: must be an object, got %s" % _describe(data)])
    if data.get("version") != SNAPSHOT_VERSION:
        problems.append("version: must be %d, got %s" % (SNAPSHOT_VERSION, _describe(data.get("version"))))
    if data.get("platform") not in PLATFORMS:
        problems.append("platform: must be one of %s, got %s" % (", ".join(PLATFORMS), _describe(data.get("platform"))))
    hosts = _parse_list(Host, data, "hosts", problems)
    instances = _parse_list(Instance, data, "instances", problems)
    settings = _parse_object(Settings, data.get("settings", {}), "settings", problems) or Settings()
    _check_references(hosts, instances, problems)
    if problems:
        raise SnapshotError(problems)
    extra = {key: copy.deepcopy(value) for key, value in data.items()
             if key not in ("version", "platform", "hosts", "instances", "settings", "taken_at")}
    return Snapshot(platform=data["platform"], hosts=hosts, instances=instances, settings=settings,
                    taken_at=data.get("taken_at"), extra=extra)


def _parse_list(cls, data, key, problems):
    items = data.get(key)
    if not isinstance(items, list):
        problems.append("%s: must be a list, got %s" % (key, _describe(items)))
        return []
    parsed = [_parse_object(cls, item, "%s[%d]" % (key, index), problems) for index, item in enumerate(items)]
    return [item for item in parsed if item is not None]


def _check_references(hosts, instances, problems):
    seen_hosts = set()
    for index, host in enumerate(hosts):
        if host.name in seen_hosts:
            problems.append('hosts[%d].name: duplicate host "%s"' % (index, host.name))
        seen_hosts.add(host.name)
    seen_instances = set()
    for index, instance in enumerate(instances):
        if instance.id in seen_instances:
            problems.append('instances[%d].id: duplicate instance "%s"' % (index, instance.id))
        seen_instances.add(instance.id)
        if instance.host not in seen_hosts:
            problems.append('instances[%d].host: unknown host "%s"' % (index, instance.host))


def _object_to_dict(obj):
    out = {}
    for spec in dataclasses.fields(obj):
        if spec.name == "extra":
            continue
        value = getattr(obj, spec.name)
        if value is None:
            continue  # absent and null mean the same: unknown
        out[spec.name] = [_object_to_dict(item) for item in value] if spec.name == "numa_nodes" and isinstance(obj, Host) else copy.deepcopy(value)
    out.update(copy.deepcopy(obj.extra))
    return out


def to_dict(snapshot):
    """The snapshot as a v1 dict, unknown fields included."""
    out = {"version": SNAPSHOT_VERSION, "platform": snapshot.platform}
    if snapshot.taken_at is not None:
        out["taken_at"] = snapshot.taken_at
    out["settings"] = _object_to_dict(snapshot.settings)
    out["hosts"] = [_object_to_dict(host) for host in snapshot.hosts]
    out["instances"] = [_object_to_dict(instance) for instance in snapshot.instances]
    out.update(copy.deepcopy(snapshot.extra))
    return out
