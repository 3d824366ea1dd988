#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nova_migration_abort
short_description: Abort a Nova server's live migration in progress
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Cancels the server's live migration (C(DELETE /servers/{id}/migrations/{migration_id})) and, with O(wait),
    waits until Nova records it as C(cancelled). The server keeps running on its source host.
  - Idempotent, when no live migration of the server is in progress (or O(migration_id) already ended),
    nothing changes.
  - Nova aborts C(running) migrations, and from microversion 2.65 also C(queued) and C(preparing) ones.
extends_documentation_fragment:
  - vmops.migration.moves.migration_action
  - vmops.migration.openstack
"""

EXAMPLES = r"""
- name: Stop whatever live migration web-1 is in
  vmops.migration.nova_migration_abort:
    cloud: overcloud
    server: web-1

- name: Abort one migration by id, without waiting
  vmops.migration.nova_migration_abort:
    cloud: overcloud
    server: 9c1e7c3a-3f4e-4f7b-9f53-3d0e7c0b1a11
    migration_id: "42"
    wait: false
"""

RETURN = r"""
server: {description: Server id., returned: always, type: str, sample: 9c1e7c3a-3f4e-4f7b-9f53-3d0e7c0b1a11}
name: {description: Server name., returned: always, type: str, sample: web-1}
migration_id: {description: The migration acted on (null when none was in progress)., returned: always, type: str, sample: "42"}
status_before: {description: Nova's migration status when the module acted., returned: when changed, type: str, sample: running}
status_after: {description: Nova's migration status at the end., returned: when changed and O(wait=true), type: str, sample: cancelled}
source: {description: Migration source host., returned: when changed, type: str, sample: compute-0}
target: {description: Migration destination host., returned: when changed, type: str, sample: compute-2}
host: {description: The server's host at the end., returned: when O(wait=true) or unchanged, type: str, sample: compute-0}
"""

from ansible_collections.vmops.migration.plugins.module_utils.nova_migration_control import ARGUMENT_SPEC, control
from ansible_collections.vmops.migration.plugins.module_utils.openstack import NovaModule


def main():
    module = NovaModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.run(lambda module: control(module, "abort"))


if __name__ == "__main__":
    main()
