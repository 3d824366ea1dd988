#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nova_migration_force_complete
short_description: Force a Nova server's running live migration to complete
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Asks Nova to finish the server's running live migration now
    (C(POST /servers/{id}/migrations/{migration_id}/action) with C(force_complete)); with O(wait), waits until
    the migration record is C(completed).
  - Safe for the guest, which is why no extra acknowledgement is asked for; calling the module is the request.
    The hypervisor pauses the guest so that its memory stops changing, copies what is left, and resumes it on the
    target. The guest sees a pause of about (remaining memory / bandwidth); no memory or disk data is lost. It is
    the usual cure for a migration that does not converge because the guest dirties memory as fast as it is copied.
  - Nova accepts it only while the migration is C(running); a C(queued) or C(preparing) one fails with code C(RACE).
  - Idempotent, when no live migration of the server is in progress, nothing changes.
extends_documentation_fragment:
  - vmops.migration.moves.migration_action
  - vmops.migration.openstack
"""

EXAMPLES = r"""
- name: Finish web-1's live migration that does not converge
  vmops.migration.nova_migration_force_complete:
    cloud: overcloud
    server: web-1
"""

RETURN = r"""
server: {description: Server id., returned: always, type: str, sample: 9c1e7c3a-3f4e-4f7b-9f53-3d0e7c0b1a11}
name: {description: Server name., returned: always, type: str, sample: web-1}
migration_id: {description: The migration acted on (null when none was in progress)., returned: always, type: str, sample: "42"}
status_before: {description: Nova's migration status when the module acted., returned: when changed, type: str, sample: running}
status_after: {description: Nova's migration status at the end., returned: when changed and O(wait=true), type: str, sample: completed}
source: {description: Migration source host., returned: when changed, type: str, sample: compute-0}
target: {description: Migration destination host., returned: when changed, type: str, sample: compute-2}
host: {description: The server's host at the end., returned: when O(wait=true) or unchanged, type: str, sample: compute-2}
"""

from ansible_collections.vmops.migration.plugins.module_utils.nova_migration_control import ARGUMENT_SPEC, control
from ansible_collections.vmops.migration.plugins.module_utils.openstack import NovaModule


def main():
    module = NovaModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.run(lambda module: control(module, "force_complete"))


if __name__ == "__main__":
    main()
