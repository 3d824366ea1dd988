#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kubevirt_node
short_description: Cordon or uncordon a Kubernetes node before or after moving its VMIs away
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Cordons a node (C(spec.unschedulable=true), as C(kubectl cordon)) so no new VMI or migration target lands
    there, or uncordons it. A cordon made here is marked with the annotation C(vmops.io/cordoned-by), so an
    uncordon can be limited to nodes this collection cordoned (O(only_ours)).
  - It cordons rather than setting KubeVirt's C(kubevirt.io/drain) taint, on purpose. That taint makes
    KubeVirt evacuate the node's VMIs by itself, outside the checks and limits of M(vmops.migration.kubevirt_migrate).
  - Idempotent, with check mode and diff.
options:
  name:
    description: The node.
    type: str
    required: true
  state:
    description: V(cordoned) makes the node unschedulable, V(uncordoned) schedulable again.
    type: str
    choices: [cordoned, uncordoned]
    default: cordoned
  reason:
    description: Words kept in the C(vmops.io/cordoned-by) annotation, for example a run id.
    type: str
  only_ours:
    description: With O(state=uncordoned), leave a node cordoned when the cordon was not made by this collection.
    type: bool
    default: false
extends_documentation_fragment:
  - vmops.migration.kubernetes
attributes:
  check_mode:
    support: full
    description: Returns whether the node would be cordoned, without changing it.
  diff_mode:
    support: full
    description: The node's C(unschedulable) before and after.
notes:
  - O(wait) and O(wait_timeout) are accepted for the shared connection options and not used.
seealso:
  - module: vmops.migration.kubevirt_migrate
"""

EXAMPLES = r"""
- name: Keep new VMIs off worker-3
  vmops.migration.kubevirt_node:
    name: worker-3
    reason: drain-20261125

- name: Let workloads back on, unless someone else cordoned it
  vmops.migration.kubevirt_node:
    name: worker-3
    state: uncordoned
    only_ours: true
"""

RETURN = r"""
name: {description: The node., returned: always, type: str, sample: worker-3}
cordoned:
  description: Whether the node is cordoned at the end (in check mode, would be).
  returned: always
  type: bool
  sample: true
cordoned_before: {description: Whether it was cordoned before., returned: always, type: bool, sample: false}
cordoned_by:
  description: The C(vmops.io/cordoned-by) annotation before, when set.
  returned: always
  type: str
  sample: "vmops.migration:drain-20261125"
"""

from ansible_collections.vmops.migration.plugins.module_utils.kubernetes import KubeModule
from ansible_collections.vmops.migration.plugins.module_utils.kubevirt_nodes import ARGUMENT_SPEC, set_schedulable


def main():
    module = KubeModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.run(set_schedulable)


if __name__ == "__main__":
    main()
