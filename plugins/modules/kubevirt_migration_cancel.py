#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kubevirt_migration_cancel
short_description: Cancel the running live migration of a KubeVirt VMI
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Cancels the unfinished C(VirtualMachineInstanceMigration) (VMIM) of a VMI by deleting it, as KubeVirt
    expects; the VMI keeps running on its source node. KubeVirt's finalizer holds the VMIM until the copy has
    stopped, and with O(wait=true) the module waits for that.
  - Idempotent. When the VMI has no unfinished migration, nothing changes (C(changed=false)).
  - Needs the right to delete VMIMs (KubeVirt's C(kubevirt.io:migrate) role).
options:
  vmi:
    description: The VMI, as C(name) (in O(namespace)) or C(namespace/name).
    type: str
    required: true
    aliases: [name]
  namespace:
    description: Namespace of the VMI.
    type: str
    default: default
  migration:
    description: Only cancel the VMIM with this name (default every unfinished VMIM of the VMI; KubeVirt allows one).
    type: str
  poll_interval:
    description: Seconds between two looks while waiting for the cancel to end.
    type: float
    default: 1.0
extends_documentation_fragment:
  - vmops.migration.kubernetes
attributes:
  check_mode:
    support: full
    description: Returns the VMIMs that would be deleted, without deleting them.
seealso:
  - module: vmops.migration.kubevirt_migrate
  - module: vmops.migration.kubevirt_migration_info
"""

EXAMPLES = r"""
- name: Stop whatever migration frontend-1 is in
  vmops.migration.kubevirt_migration_cancel:
    vmi: web/frontend-1

- name: Cancel one migration by name, without waiting
  vmops.migration.kubevirt_migration_cancel:
    vmi: frontend-1
    namespace: web
    migration: frontend-1-vmops-x7k2p
    wait: false
"""

RETURN = r"""
vmi: {description: The VMI as C(namespace/name)., returned: always, type: str, sample: default/vm-01-01}
cancelled:
  description: The VMIMs deleted (or that would be, in check mode), as kubevirt_migration_info returns them, before the cancel.
  returned: always
  type: list
  elements: dict
node: {description: The VMI's node at the end., returned: always, type: str, sample: node-01}
"""

from ansible_collections.vmops.migration.plugins.module_utils.kubernetes import KubeModule
from ansible_collections.vmops.migration.plugins.module_utils.kubevirt_migrations import CANCEL_ARGUMENT_SPEC, cancel


def main():
    module = KubeModule(argument_spec=CANCEL_ARGUMENT_SPEC, supports_check_mode=True)
    module.run(cancel)


if __name__ == "__main__":
    main()
