#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nova_host_config_facts
short_description: Gather host-level Nova settings that the OpenStack APIs do not show
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Reads C(nova.conf) from the TripleO container config tree and the NUMA and NIC layout
    from sysfs on an overcloud host, and returns them as fragments that merge into the
    cluster snapshot (see C(contracts/snapshot.schema.json)).
  - On computes it returns C(host_fragment) with the CPU sets (C(NovaComputeCpuSharedSet),
    C(NovaComputeCpuDedicatedSet)), NUMA-aware live migration (C(NovaEnableNUMALiveMigration)),
    C(max_concurrent_live_migrations), the libvirt CPU mode and models, the live-migration
    tunables, the NUMA nodes with their hugepages, which NIC sits on which NUMA node, and
    whether OVS-DPDK is on.
  - On controllers it returns C(settings_fragment) with the scheduler's enabled filters.
  - Missing files and options give C(null), never an error.
  - Never changes anything on the host; O(root) lets it read a copied host tree instead.
  - Run it with C(become) on the hosts of the TripleO inventory groups C(Compute*) and
    C(Controller*); C(merge_host_facts) in the collection's C(module_utils/host_config.py)
    merges the fragments into a snapshot.
options:
  root:
    description:
      - Directory that stands for C(/) when reading files, for example a copy of a host's
        C(/etc), C(/var/lib/config-data) and C(/sys) for what-if runs and tests.
      - When it is not C(/), C(ovs-vsctl) is never run.
    type: path
    default: /
  nova_conf_paths:
    description:
      - Where to look for C(nova.conf), in order, relative to O(root). The first that exists
        is read.
    type: list
    elements: path
    default:
      - /var/lib/config-data/puppet-generated/nova_libvirt/etc/nova/nova.conf
      - /var/lib/config-data/puppet-generated/nova/etc/nova/nova.conf
      - /etc/nova/nova.conf
  role:
    description:
      - Which facts to return.
      - V(compute) returns C(host_fragment), V(controller) returns C(settings_fragment).
      - V(auto) decides by the C(nova.conf) found. The TripleO controller tree
        (C(puppet-generated/nova)) means controller; anything else, including no
        C(nova.conf) at all, means compute.
    type: str
    choices: [auto, compute, controller]
    default: auto
  gather_ovs:
    description:
      - Ask the local Open vSwitch with C(ovs-vsctl get Open_vSwitch . other_config:dpdk-init)
        whether DPDK is initialised (V(true) and V(try) count as on).
      - Only when O(root) is C(/) and C(ovs-vsctl) is installed. Otherwise, or when OVS does
        not answer, the ML2/OVS agent config (C([ovs] datapath_type = netdev)) decides.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: The module never writes, so check mode returns the same facts.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
notes:
  - C([workarounds] enable_numa_live_migration) exists from Rocky on, was deprecated in Train
    (fully upgraded Train clouds live-migrate NUMA guests correctly) and is gone from later
    releases. C(numa_live_migration) is the option as written; it is C(null) when the option
    is not set, because what that means depends on the release.
  - CPU sets are returned as written; C(parse_cpu_set) in the collection's
    C(module_utils/host_config.py) expands them into sorted CPU id lists.
seealso:
  - name: Nova configuration reference
    description: The nova.conf options read by this module.
    link: https://docs.openstack.org/nova/latest/configuration/config.html
"""

EXAMPLES = r"""
# In a play on the TripleO inventory's "Compute*:Controller*" hosts
- name: Read nova.conf, sysfs and OVS on each overcloud host
  vmops.migration.nova_host_config_facts:
  become: true
  register: host_config

- name: Show which NUMA node each NIC sits on
  ansible.builtin.debug:
    var: host_config.host_fragment.nic_numa_nodes
  when: host_config.role == 'compute'

- name: Read a copied host tree without asking OVS
  vmops.migration.nova_host_config_facts:
    root: /srv/host-copies/overcloud-novacompute-0
    role: compute

- name: Read a controller whose nova.conf lives elsewhere
  vmops.migration.nova_host_config_facts:
    role: controller
    nova_conf_paths:
      - /etc/kolla/nova-scheduler/nova.conf
"""

RETURN = r"""
changed:
  description: Always false, the module only reads.
  returned: always
  type: bool
  sample: false
role:
  description: The role the facts were read for (O(role), or what V(auto) resolved to).
  returned: always
  type: str
  sample: compute
nova_conf:
  description: The C(nova.conf) path that was read (relative to O(root)), or null when none exists.
  returned: always
  type: str
  sample: /var/lib/config-data/puppet-generated/nova_libvirt/etc/nova/nova.conf
host_fragment:
  description:
    - Fields for this host's entry in the snapshot's C(hosts) list. Empty for controllers.
    - Null values mean the file or option was not found; nova's defaults are not filled in.
  returned: always
  type: dict
  contains:
    host_facts_gathered:
      description: Always true, marks the host as gathered once merged.
      type: bool
      sample: true
    cpu_shared_set:
      description: C([compute] cpu_shared_set) as written (C(NovaComputeCpuSharedSet)).
      type: str
      sample: 0-1,24-25
    cpu_dedicated_set:
      description: C([compute] cpu_dedicated_set) as written (C(NovaComputeCpuDedicatedSet)).
      type: str
      sample: 2-11,26-35
    numa_live_migration:
      description: C([workarounds] enable_numa_live_migration) (C(NovaEnableNUMALiveMigration)), null when unset.
      type: bool
      sample: true
    max_concurrent_live_migrations:
      description: C([DEFAULT] max_concurrent_live_migrations); nova's default is 1, 0 means unlimited.
      type: int
      sample: 1
    cpu_mode:
      description: C([libvirt] cpu_mode) (host-model, host-passthrough, custom, none).
      type: str
      sample: host-model
    cpu_models:
      description: C([libvirt] cpu_models) (or the older C(cpu_model)); empty when unset.
      type: list
      elements: str
      sample: [Cascadelake-Server-noTSX]
    live_migration:
      description:
        - C([libvirt]) live-migration tunables, null without a C(nova.conf).
        - Nova's defaults are post-copy off, auto-converge off, 800 s per GiB, V(abort), 0 (unlimited).
      type: dict
      sample:
        permit_post_copy: true
        permit_auto_converge: false
        completion_timeout: 800
        timeout_action: force_complete
        bandwidth: 0
    numa_nodes:
      description: One entry per NUMA node in sysfs (C(id), C(cpu_list), C(cpus), C(memory_mib),
        C(hugepages_free), C(hugepages_total)); page sizes are in KiB.
      type: list
      elements: dict
      sample:
        - id: 0
          cpu_list: [0, 1, 2, 3]
          cpus: 4
          memory_mib: 64000
          hugepages_free: {"1048576": 12}
          hugepages_total: {"1048576": 16}
    nic_numa_nodes:
      description: Physical NIC name to NUMA node id; null when the firmware does not say.
      type: dict
      sample: {ens1f0: 1, eno1: null}
    dpdk:
      description: Whether OVS-DPDK is on; null when neither OVS nor the ML2/OVS agent config tells.
      type: bool
      sample: false
settings_fragment:
  description: Cloud-wide fields for the snapshot's C(settings). Empty for computes.
  returned: always
  type: dict
  contains:
    scheduler_filters:
      description: C([filter_scheduler] enabled_filters), null when unset.
      type: list
      elements: str
      sample: [ComputeFilter, NUMATopologyFilter, AggregateInstanceExtraSpecsFilter]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.vmops.migration.plugins.module_utils.host_config import (
    DEFAULT_NOVA_CONF_PATHS,
    ROLES,
    host_config_facts,
)

ARGUMENT_SPEC = dict(
    root=dict(type="path", default="/"),
    nova_conf_paths=dict(type="list", elements="path", default=list(DEFAULT_NOVA_CONF_PATHS)),
    role=dict(type="str", choices=list(ROLES), default="auto"),
    gather_ovs=dict(type="bool", default=True),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.exit_json(changed=False, **host_config_facts(module))


if __name__ == "__main__":
    main()
