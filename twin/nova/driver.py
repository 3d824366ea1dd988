"""The simulated hypervisor every twin nova-compute runs.

Nova loads drivers relative to ``nova.virt``; the control plane registers this module there
under the name ``vmops_sim`` before any compute starts.
"""
import threading
import time
import uuid

import os_traits
from oslo_config import cfg
from oslo_serialization import jsonutils

from nova import context as nova_context
from nova import exception
from nova import objects
from nova.compute import power_state
from nova.virt import fake

from twin.nova import fleet, simstate
from twin.nova.precopy import GIB, MIB, PreCopy

CONF = cfg.CONF

TICK_S = 0.1
# libvirt's driver reads a migration's job info every 0.5 s; saving it at every 0.1 s tick cost a
# conductor round trip each, much of the twin's CPU with many migrations running.
REPORT_S = 0.5
DEFAULT_DIRTY_MIBPS = 50.0
MAX_DOWNTIME_S = 0.5
_TRUE = {"1", "true", "yes", "on"}
NODE_NAMESPACE = uuid.UUID("5d6a3c1e-2f0b-4c8e-9a51-7b3e0c9d4f21")


def _knob(metadata, key, default):
    value = metadata.get(key)
    return float(value) if value not in (None, "") else default


def cpu_traits(cpu):
    """Placement traits for a host CPU, so facts can be read from Placement alone."""
    traits = set()
    for feature in cpu.get("features", []):
        name = "HW_CPU_X86_" + feature.upper().replace(".", "_").replace("-", "_")
        traits.add(name if hasattr(os_traits, name) else "CUSTOM_CPU_FEATURE_" + name[len("HW_CPU_X86_"):])
    for kind in ("model", "vendor"):
        value = "".join(c if c.isalnum() else "_" for c in cpu.get(kind, "")).upper()
        if value:
            traits.add("CUSTOM_CPU_%s_%s" % (kind.upper(), value))
    return traits


class SimDriver(fake.FakeLiveMigrateDriver):
    """FakeLiveMigrateDriver with a host shape from the fleet and pre-copy live migration."""

    def __init__(self, virtapi, read_only=False):
        # Nova builds the driver while CONF.host names the compute being started.
        self.spec = simstate.hosts.get(CONF.host) or fleet.HostSpec(name=CONF.host)
        self.vcpus = self.spec.vcpus
        self.memory_mb = self.spec.memory_mb
        self.local_gb = self.spec.local_gb
        super().__init__(virtapi, read_only)
        self._requests = {}  # instance uuid -> "abort" | "force_complete"
        self._requests_lock = threading.Lock()
        self._started = time.time()

    def init_host(self, host):
        super().init_host(host)
        self._adopt_guests(host)

    def _adopt_guests(self, host):
        """Run the guests Nova records on this host, as a hypervisor does after a restart.

        Empty on a fresh fleet; a fleet restored from the seed cache has them all.
        """
        context = nova_context.get_admin_context()
        for instance in objects.InstanceList.get_by_host(context, host, expected_attrs=[]):
            if instance.uuid not in self.instances:
                running = instance.power_state == power_state.RUNNING
                state = power_state.RUNNING if running else power_state.SHUTDOWN
                self.instances[instance.uuid] = fake.FakeInstance(instance.name, state, instance.uuid)

    def get_nodenames_by_uuid(self, refresh=False):
        return {node_uuid(name): name for name in self.get_available_nodes()}

    def get_host_uptime(self):
        up = int(time.time() - self._started)
        return " %s up %d min,  1 user,  load average: 0.10, 0.10, 0.10" % (time.strftime("%H:%M:%S"), up // 60)

    def get_available_resource(self, nodename):
        status = super().get_available_resource(nodename)
        if status:
            status["uuid"] = node_uuid(nodename)
            cpu = dict(self.spec.cpu)
            nodes = max(1, self.spec.numa_nodes)
            cpu["topology"] = {"sockets": nodes, "cores": max(1, self.spec.vcpus // nodes // 2), "threads": 2}
            status["cpu_info"] = jsonutils.dumps(cpu)
        return status

    def update_provider_tree(self, provider_tree, nodename, allocations=None):
        super().update_provider_tree(provider_tree, nodename, allocations)
        provider_tree.add_traits(nodename, *sorted(cpu_traits(self.spec.cpu)))

    def check_can_live_migrate_source(self, context, instance, dest_check_data, block_device_info=None):
        local_disk = _has_local_disk(instance)
        wanted = dest_check_data.block_migration if "block_migration" in dest_check_data else None
        if wanted is False and local_disk:
            raise exception.InvalidSharedStorage(
                path=dest_check_data.filename,
                reason="the instance has local disks: use block migration",
            )
        # Nova's 'auto' arrives as None; decide it the way libvirt does, by the disks.
        dest_check_data.block_migration = local_disk if wanted is None else wanted
        dest_check_data.is_shared_block_storage = not local_disk
        dest_check_data.is_shared_instance_path = not local_disk
        return dest_check_data

    def live_migration(self, context, instance, dest, post_method, recover_method,
                       block_migration=False, migrate_data=None):
        if migrate_data is not None and "block_migration" in migrate_data:
            block_migration = migrate_data.block_migration
        migration = migrate_data.migration
        model = self._model(instance, block_migration)
        explicit_bw = instance.metadata.get("sim_bw_mibps")
        timeout_s = self._completion_timeout_s(instance, model)
        simstate.count("started")
        simstate.begin_transfer(instance.uuid, self._host, dest)
        outcome = "error"
        try:
            outcome = self._run(instance, migration, model, dest, explicit_bw, timeout_s)
        finally:
            simstate.end_transfer(instance.uuid, outcome, model.elapsed)
            with self._requests_lock:
                self._requests.pop(instance.uuid, None)
        simstate.count(outcome)
        if outcome == "completed":
            post_method(context, instance, dest, block_migration, migrate_data)
        else:
            recover_method(context, instance, dest, migrate_data,
                           migration_status="cancelled" if outcome == "aborted" else "error")

    def live_migration_abort(self, instance):
        self.request(instance.uuid, "abort")

    def live_migration_force_complete(self, instance):
        self.request(instance.uuid, "force_complete")

    def request(self, instance_uuid, action):
        """Ask a running migration loop to abort or force-complete at its next tick."""
        with self._requests_lock:
            if self._requests.get(instance_uuid) != "abort":
                self._requests[instance_uuid] = action

    def _model(self, instance, block_migration):
        flavor = instance.flavor
        disk_gb = (flavor.root_gb + flavor.ephemeral_gb) if block_migration else 0
        return PreCopy(
            memory_bytes=flavor.memory_mb * MIB,
            disk_bytes=disk_gb * GIB + (flavor.swap * MIB if block_migration else 0),
            dirty_bps=_knob(instance.metadata, "sim_dirty_mibps", DEFAULT_DIRTY_MIBPS) * MIB,
            max_downtime_s=MAX_DOWNTIME_S,
            fail_halfway=instance.metadata.get("sim_fail", "").lower() in _TRUE,
        )

    @staticmethod
    def _completion_timeout_s(instance, model):
        # libvirt counts at least 2 GiB of RAM, plus the disks it copies.
        per_gib = CONF.libvirt.live_migration_completion_timeout
        data_gib = max(model.memory_total / GIB, 2.0) + model.disk_total / GIB
        return per_gib * data_gib if per_gib else None

    def _run(self, instance, migration, model, dest, explicit_bw, timeout_s):
        timed_out = False
        last = reported = time.monotonic()
        while True:
            time.sleep(TICK_S)
            # Advance by the wall time that really passed: on a busy machine ticks run late.
            now = time.monotonic()
            wall, last = now - last, now
            with self._requests_lock:
                request = self._requests.pop(instance.uuid, None)
            if request == "abort":
                return "aborted"
            if request == "force_complete":
                model.pause()
            bandwidth = float(explicit_bw) if explicit_bw else simstate.shared_bandwidth_mibps(self._host, dest)
            model.advance(wall * simstate.time_factor, bandwidth * MIB)
            if now - reported >= REPORT_S or model.done or model.failed:
                _report(migration, model)
                reported = now
            if model.done:
                return "completed"
            if model.failed:
                return "failed"
            if timeout_s is not None and not timed_out and model.elapsed >= timeout_s:
                simstate.count("timed_out")
                if CONF.libvirt.live_migration_timeout_action != "force_complete":
                    return "aborted"
                timed_out = True
                model.pause()


def node_uuid(nodename):
    # Stable across processes (Nova's fake driver draws them at random), so the compute
    # nodes and resource providers of a restored seed belong to the same hypervisors.
    return str(uuid.uuid5(NODE_NAMESPACE, nodename))


def _has_local_disk(instance):
    flavor = instance.flavor
    volume_backed = not instance.image_ref
    return (not volume_backed and flavor.root_gb > 0) or flavor.ephemeral_gb > 0 or flavor.swap > 0


def _report(migration, model):
    migration.memory_total = model.memory_total
    migration.memory_processed = int(model.memory_processed)
    migration.memory_remaining = int(model.memory_remaining)
    # Zero disk counters break Nova's response schema; non-block migrations leave them NULL.
    if model.disk_total:
        migration.disk_total = model.disk_total
        migration.disk_processed = int(model.disk_processed)
        migration.disk_remaining = int(model.disk_left)
    migration.save()

