#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nova_guest_placement_facts
short_description: Read where a guest's vCPUs, memory and NICs sit on its compute's NUMA nodes
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Runs on a compute host and reads one guest's libvirt domain XML (C(virsh dumpxml) in the
    C(nova_libvirt) container) and the host's NUMA and NIC layout from sysfs, and returns the
    guest's placement in host NUMA node terms. Never changes anything.
  - Run it on the source before a move of a NUMA, pinned or huge-page instance and on the target
    after it, passing the first C(placement) as O(compare_to), to find the instances that landed
    with their vCPUs, memory or NIC on other NUMA nodes (NUMA_TOPOLOGY_DIFFERS). The move works,
    and the guest may run slower without any error.
  - Node numbers may differ between hosts; what counts is the shape. How many nodes the vCPUs
    span, whether the memory is on the vCPUs' nodes, and whether each NIC is on one of them.
options:
  instance_name:
    description: The libvirt domain name of the instance (Nova's C(OS-EXT-SRV-ATTR:instance_name), e.g. C(instance-0000001a)).
    type: str
    required: true
  root:
    description:
      - Directory that stands for C(/), for example a copy of a host's C(/run/libvirt/qemu) and C(/sys) for tests.
      - When it is not C(/), the domain XML is read from libvirt's status file
        C(<root>/run/libvirt/qemu/<instance_name>.xml) and no command is run.
    type: path
    default: /
  container:
    description: The container libvirt runs in; empty runs C(virsh) on the host itself.
    type: str
    default: nova_libvirt
  container_cli:
    description: The container command.
    type: str
    default: podman
  compare_to:
    description: A C(placement) this module returned before the move (on the source); adds RV(differences).
    type: dict
attributes:
  check_mode:
    support: full
    description: The module never writes, so check mode returns the same facts.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
notes:
  - Needs C(become) on a real compute to run C(podman exec).
seealso:
  - module: vmops.migration.nova_host_config_facts
"""

EXAMPLES = r"""
- name: Placement on the source before the move
  vmops.migration.nova_guest_placement_facts:
    instance_name: instance-0000001a
  delegate_to: overcloud-novacompute-0
  become: true
  register: before

- name: Placement on the target after the move, compared with the source
  vmops.migration.nova_guest_placement_facts:
    instance_name: instance-0000001a
    compare_to: "{{ before.placement }}"
  delegate_to: overcloud-novacompute-1
  become: true
  register: after

- name: Report NUMA_TOPOLOGY_DIFFERS
  ansible.builtin.debug:
    msg: "NUMA_TOPOLOGY_DIFFERS: {{ after.differences | join('; ') }}"
  when: after.numa_topology_differs
"""

RETURN = r"""
changed:
  description: Always false, the module only reads.
  returned: always
  type: bool
  sample: false
placement:
  description: The guest's placement in host NUMA node terms.
  returned: always
  type: dict
  contains:
    name:
      description: The domain name.
      type: str
      sample: instance-0000001a
    vcpu_nodes:
      description: Pinned vCPU to the host NUMA nodes of the CPUs it may run on; empty when no vCPU is pinned.
      type: dict
      sample: {"0": [0], "1": [0]}
    memory_nodes:
      description: Host NUMA nodes of the guest's memory (C(numatune)), null when not bound.
      type: list
      elements: int
      sample: [0]
    nic_nodes:
      description: Host NIC under each guest interface to its NUMA node, null when sysfs does not say.
      type: dict
      sample: {ens1f0: 1}
differences:
  description: What got worse from O(compare_to) to this placement, one line each.
  returned: when O(compare_to) is given
  type: list
  elements: str
  sample: ["NIC ens1f0 on NUMA node 1, away from the vCPUs on 0"]
numa_topology_differs:
  description: Whether RV(differences) is not empty.
  returned: when O(compare_to) is given
  type: bool
  sample: true
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.vmops.migration.plugins.module_utils.guest_placement import guest_placement_facts

ARGUMENT_SPEC = dict(
    instance_name=dict(type="str", required=True),
    root=dict(type="path", default="/"),
    container=dict(type="str", default="nova_libvirt"),
    container_cli=dict(type="str", default="podman"),
    compare_to=dict(type="dict"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.exit_json(changed=False, **guest_placement_facts(module))


if __name__ == "__main__":
    main()
