#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kubevirt_migration_info
short_description: List KubeVirt VirtualMachineInstanceMigrations with their phase, nodes and timings
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Returns the C(VirtualMachineInstanceMigration) objects (VMIMs), oldest first, with their phase, source
    and target node, timestamps, failure reason and whether a cancel was requested.
  - Read-only; never changes anything.
options:
  vmi:
    description: Only the migrations of this VMI, as C(name) (in O(namespace), default C(default)) or C(namespace/name).
    type: str
    aliases: [name]
  namespace:
    description: Only this namespace. Default all namespaces.
    type: str
  phase:
    description:
      - Only migrations in these phases (C(Pending), C(Scheduling), C(Scheduled), C(PreparingTarget), C(TargetReady),
        C(Running), C(Succeeded), C(Failed)).
    type: list
    elements: str
  in_flight:
    description: Only migrations that have not ended (not C(Succeeded) or C(Failed)).
    type: bool
    default: false
  snapshot:
    description:
      - Also return the cluster snapshot (nodes and running VMIs of O(namespace), or all, with the facts the
        constraint rules read), for planning with filters such as C(vmops.migration.drain_plan).
    type: bool
    default: false
extends_documentation_fragment:
  - vmops.migration.kubernetes
attributes:
  check_mode:
    support: full
    description: The module only reads, and runs the same in check mode.
notes:
  - O(wait) and O(wait_timeout) are accepted for the shared connection options and not used.
seealso:
  - module: vmops.migration.kubevirt_migrate
"""

EXAMPLES = r"""
- name: Migrations still running anywhere
  vmops.migration.kubevirt_migration_info:
    in_flight: true
  register: running

- name: The migration history of one VMI
  vmops.migration.kubevirt_migration_info:
    vmi: web/frontend-1

- name: Failed migrations in one namespace
  vmops.migration.kubevirt_migration_info:
    namespace: db
    phase: [Failed]
"""

RETURN = r"""
migrations:
  description: The VMIMs, oldest first.
  returned: always
  type: list
  elements: dict
  contains:
    name: {description: VMIM name., type: str, sample: vm-01-01-vmops-x7k2p}
    namespace: {description: Namespace., type: str, sample: default}
    vmi: {description: The VMI it migrates., type: str, sample: vm-01-01}
    phase: {description: Its phase (null before KubeVirt set one)., type: str, sample: Running}
    source_node: {description: Node the VMI leaves (once scheduled)., type: str, sample: node-01}
    target_node: {description: Node it goes to (once scheduled)., type: str, sample: node-03}
    added_node_selector: {description: The VMIM's extra node selector., type: dict, sample: {kubernetes.io/hostname: node-03}}
    created: {description: Creation time., type: str, sample: "2026-11-25T16:21:24Z"}
    start_timestamp: {description: When the copy started., type: str}
    end_timestamp: {description: When it ended., type: str}
    phase_timestamps: {description: When it entered each phase., type: dict}
    failure_reason: {description: KubeVirt's reason when it failed., type: str}
    abort_requested: {description: A cancel was requested (the VMIM was deleted while running)., type: bool}
    deleting: {description: The VMIM is being deleted (its finalizer holds it until the cancel ends)., type: bool}
    managed: {description: Created by this collection., type: bool}
snapshot:
  description: The cluster snapshot (platform C(kubevirt), contracts/snapshot.schema.json).
  returned: when O(snapshot=true)
  type: dict
by_phase:
  description: Number of returned migrations per phase.
  returned: always
  type: dict
  sample: {Running: 2, Pending: 1, Succeeded: 11}
"""

from ansible_collections.vmops.migration.plugins.module_utils.kubernetes import KubeModule
from ansible_collections.vmops.migration.plugins.module_utils.kubevirt_migrations import INFO_ARGUMENT_SPEC, info


def main():
    module = KubeModule(argument_spec=INFO_ARGUMENT_SPEC, supports_check_mode=True)
    module.run(info)


if __name__ == "__main__":
    main()
