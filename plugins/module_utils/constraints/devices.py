# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules about what is plugged into the guest: PCI devices, SR-IOV and QoS ports, read-only drives, local disks."""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils.constraints.base import WARN, Rule
from ansible_collections.vmops.migration.plugins.module_utils.constraints.common import usable_bandwidth

# vnic types Nova can live-migrate by unplugging the VF on the source and plugging one on the target.
SRIOV_MIGRATABLE = ("direct", "macvtap")
# A whole physical function passed through: never live-migrated.
SRIOV_PHYSICAL = ("direct-physical",)


def _vnic_types(instance, kinds):
    return sorted({port.get("vnic_type") for port in instance.sriov_ports if port.get("vnic_type") in kinds})


class _InstanceRule(Rule):
    """Device rules depend on the guest only: judged once per instance."""

    per_target = False


class PciPassthrough(_InstanceRule):
    code = "PCI_PASSTHROUGH"

    def check(self, ctx):
        devices = ctx.instance.pci_passthrough
        if devices:
            return [self.reason(ctx, "%s has PCI passthrough device%s %s attached: it cannot be live-migrated"
                                % (ctx.instance.label, "" if len(devices) == 1 else "s", ", ".join(devices)))]
        return []


class SriovNetworkDowntime(_InstanceRule):
    code = "SRIOV_NETWORK_DOWNTIME"
    severity = WARN

    def check(self, ctx):
        kinds = _vnic_types(ctx.instance, SRIOV_MIGRATABLE)
        if kinds and ctx.settings.sriov_live_migration:
            return [self.reason(ctx, "%s has SR-IOV port(s) (vnic_type %s): they are detached and re-attached "
                                "during live migration, expect network downtime"
                                % (ctx.instance.label, ", ".join(kinds)))]
        return []


class SriovUnsupported(_InstanceRule):
    code = "SRIOV_UNSUPPORTED"

    def check(self, ctx):
        blocked = SRIOV_PHYSICAL if ctx.settings.sriov_live_migration else SRIOV_MIGRATABLE + SRIOV_PHYSICAL
        kinds = _vnic_types(ctx.instance, blocked)
        if kinds:
            why = "" if ctx.settings.sriov_live_migration else " on this release"
            return [self.reason(ctx, "%s has SR-IOV port(s) (vnic_type %s) that cannot be live-migrated%s: "
                                "cold-migrate instead" % (ctx.instance.label, ", ".join(kinds), why))]
        return []


class PortResourceRequest(_InstanceRule):
    code = "PORT_RESOURCE_REQUEST"

    def check(self, ctx):
        if ctx.instance.port_resource_request:
            return [self.reason(ctx, "%s has a port with a resource request (minimum-bandwidth QoS): "
                                "it cannot be live-migrated" % ctx.instance.label)]
        return []


class ReadonlyDevice(_InstanceRule):
    code = "READONLY_DEVICE"

    def check(self, ctx):
        devices = list(ctx.instance.readonly_devices)
        if ctx.instance.config_drive == "iso9660":
            devices.append("iso9660 config drive")
        if devices:
            return [self.reason(ctx, "%s has read-only device%s attached (%s): detach it before a live migration"
                                % (ctx.instance.label, "" if len(devices) == 1 else "s", ", ".join(devices)))]
        return []


class BlockMigrationRequired(Rule):
    """Local disks are copied during the move (block migration) at the usable bandwidth."""

    code = "BLOCK_MIGRATION_REQUIRED"
    severity = WARN

    def check(self, ctx):
        disk = ctx.instance.local_disk_gib
        if disk <= 0:
            return []
        bandwidth = usable_bandwidth(ctx)
        extra = "about %d s more" % round(disk * 1024.0 / bandwidth) if bandwidth else "an unknown time more"
        return [self.reason(ctx, "%s has %g GiB of local disk: block migration to %s copies it, %s at %g MiB/s"
                            % (ctx.instance.label, disk, ctx.target.name, extra, bandwidth or 0))]


RULES = [PciPassthrough, SriovNetworkDowntime, SriovUnsupported, PortResourceRequest, ReadonlyDevice,
         BlockMigrationRequired]
