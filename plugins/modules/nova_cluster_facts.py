#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nova_cluster_facts
short_description: Read a Nova cloud into a cluster snapshot for migration planning
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Reads the compute hosts, their services, capacity, CPU, aggregates and Placement inventories,
    and every server of every project with its flavor, server group, ports and migrations in
    flight, and returns them as one cluster snapshot (C(contracts/snapshot.schema.json), version 1).
  - The snapshot feeds the collection's planner and constraint checks, for example
    C(snapshot | vmops.migration.drain_plan(hosts=[...])).
  - Reads in parallel; never changes anything.
  - Needs admin credentials and compute API microversion 2.59 or later (Rocky).
options:
  hosts:
    description:
      - Compute hosts to include, by nova-compute service host name (exact; a TripleO short name
        matches its FQDN when unique). Servers on other hosts are left out.
      - All compute hosts when omitted.
    type: list
    elements: str
  migration_bandwidth_mibps:
    description:
      - Usable migration bandwidth of a host, in MiB/s, for hosts not in O(host_migration_bandwidth_mibps).
        Stored as C(settings.migration_bandwidth_mibps). The planner's default applies when omitted.
    type: float
  host_migration_bandwidth_mibps:
    description: Host name to its usable migration bandwidth in MiB/s (C(hosts[].migration_bandwidth_mibps)).
    type: dict
  config_drive_format:
    description:
      - The cloud's C(config_drive_format) in C(nova.conf), which the API does not show. Servers with a
        config drive get C(config_drive) set to this; an V(iso9660) drive blocks live migration.
    type: str
    choices: [iso9660, vfat]
    default: iso9660
  gather_ports:
    description:
      - Read Neutron ports for SR-IOV ports (C(sriov_ports)) and ports with a resource request
        (C(port_resource_request)).
      - Without a network endpoint the module warns and leaves those fields empty.
    type: bool
    default: true
extends_documentation_fragment:
  - vmops.migration.openstack
attributes:
  check_mode:
    support: full
    description: The module only reads, so check mode returns the same snapshot.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
notes:
  - C(cpu_info), C(vcpus), C(memory_mb) and C(local_gb) are read at compute microversion 2.53
    because later microversions (2.88) no longer return them.
  - Cells, the compute service version, host NUMA topology and PCI devices are not visible
    through the APIs; C(cell) and C(version) are null. Host-level settings come from
    M(vmops.migration.nova_host_config_facts).
  - One hypervisor per compute host is assumed (libvirt); C(placement_usage) holds the Placement
    usages of the host, including allocations held by migrations in flight.
seealso:
  - module: vmops.migration.nova_host_config_facts
  - module: vmops.migration.nova_migration_info
"""

EXAMPLES = r"""
- name: Read the whole cloud
  vmops.migration.nova_cluster_facts:
    cloud: overcloud
  register: facts

- name: Plan draining two computes
  ansible.builtin.set_fact:
    plan: "{{ facts.snapshot | vmops.migration.drain_plan(hosts=['overcloud-novacompute-0']) }}"

- name: Only some hosts, with a known migration network speed
  vmops.migration.nova_cluster_facts:
    cloud: overcloud
    hosts: [overcloud-novacompute-0, overcloud-novacompute-1, overcloud-novacompute-2]
    migration_bandwidth_mibps: 1100
    host_migration_bandwidth_mibps:
      overcloud-novacompute-2: 2200
"""

RETURN = r"""
changed:
  description: Always false.
  returned: always
  type: bool
  sample: false
snapshot:
  description: The cluster snapshot, version 1 (C(contracts/snapshot.schema.json)).
  returned: success
  type: dict
  contains:
    version:
      description: Snapshot contract version.
      type: int
      sample: 1
    platform:
      description: Always V(nova).
      type: str
      sample: nova
    taken_at:
      description: When the snapshot was read (ISO 8601, UTC).
      type: str
      sample: "2025-01-01T12:00:00+00:00"
    settings:
      description: Cloud-wide facts; C(migration_bandwidth_mibps) when given.
      type: dict
    hosts:
      description:
        - One entry per compute host, with C(state), C(status), C(disabled_reason), C(forced_down),
          C(vcpus), C(memory_mib), C(disk_gib), allocation ratios, C(reserved_memory_mib),
          C(cpu_arch), C(cpu_vendor), C(cpu_model), C(cpu_features), C(aggregates),
          C(aggregate_metadata), C(availability_zone), C(traits) and C(placement_usage).
      type: list
      elements: dict
      sample:
        - name: compute-0
          state: up
          status: enabled
          forced_down: false
          vcpus: 64
          memory_mib: 262144
          cpu_allocation_ratio: 4.0
          cpu_model: Cascadelake-Server
    instances:
      description:
        - One entry per server on an included host, with C(status), C(task_state),
          C(migration_in_progress), flavor size (C(vcpus), C(memory_mib), C(disk_gib) of local root,
          ephemeral and swap), C(boot_from_volume), C(cpu_policy), C(numa_nodes), C(hugepages),
          C(pci_passthrough), C(config_drive), C(server_group), C(sriov_ports),
          C(port_resource_request), C(ha_enabled) (metadata C(HA_Enabled)) and C(dirty_rate_mibps)
          (metadata C(vmops:dirty_rate_mibps)).
      type: list
      elements: dict
      sample:
        - id: 5e7bb5ba-cb9b-4cce-9a3b-7c9a7d2781c8
          name: web-1
          host: compute-0
          status: ACTIVE
          vcpus: 2
          memory_mib: 4096
          cpu_policy: shared
"""

from ansible_collections.vmops.migration.plugins.module_utils.nova_facts import CONFIG_DRIVE_FORMATS, cluster_facts
from ansible_collections.vmops.migration.plugins.module_utils.openstack import NovaModule

ARGUMENT_SPEC = dict(
    hosts=dict(type="list", elements="str"),
    migration_bandwidth_mibps=dict(type="float"),
    host_migration_bandwidth_mibps=dict(type="dict"),
    config_drive_format=dict(type="str", choices=list(CONFIG_DRIVE_FORMATS), default="iso9660"),
    gather_ports=dict(type="bool", default=True),
)


def main():
    module = NovaModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.run(cluster_facts)


if __name__ == "__main__":
    main()
