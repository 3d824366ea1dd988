#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nova_migration_info
short_description: List Nova migrations, in flight and past, with live-migration progress
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Lists migration records (live migrations, cold migrations, resizes and evacuations) of all
    projects, newest first, with the filters given.
  - Live migrations in flight carry their byte counters (C(progress)).
  - Needs admin credentials and compute API microversion 2.59 or later (Rocky).
options:
  server:
    description: Only migrations of this server, by id or exact name (a name must be unique).
    type: str
  host:
    description:
      - Only migrations from or to this compute host (exact; a TripleO short name matches its FQDN
        when unique).
    type: str
  status:
    description:
      - Only migrations in one of these statuses, for example V(running), V(completed), V(error),
        V(failed), V(cancelled), V(done), V(finished), V(confirmed).
    type: list
    elements: str
  migration_type:
    description: Only migrations of this type.
    type: str
    choices: [live-migration, migration, evacuation, resize]
  changes_since:
    description: Only migrations updated at or after this time (ISO 8601, for example C(2025-01-31T12:00:00Z)).
    type: str
  limit:
    description: Return at most this many migrations (the newest).
    type: int
extends_documentation_fragment:
  - vmops.migration.openstack
attributes:
  check_mode:
    support: full
    description: The module only reads.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
seealso:
  - module: vmops.migration.nova_cluster_facts
"""

EXAMPLES = r"""
- name: Live migrations running now
  vmops.migration.nova_migration_info:
    cloud: overcloud
    migration_type: live-migration
    status: [queued, preparing, running, post-migrating]
  register: running

- name: The last 20 migrations that touched a host
  vmops.migration.nova_migration_info:
    cloud: overcloud
    host: overcloud-novacompute-3
    limit: 20

- name: Failed migrations of one server since yesterday
  vmops.migration.nova_migration_info:
    cloud: overcloud
    server: db-primary
    status: [error, failed]
    changes_since: "{{ '%Y-%m-%dT%H:%M:%SZ' | strftime(now(utc=true).timestamp() - 86400) }}"
"""

RETURN = r"""
changed:
  description: Always false.
  returned: always
  type: bool
  sample: false
migrations:
  description: Migration records, newest first, with Nova's field names.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Migration id (used by abort and force-complete).
      type: int
      sample: 42
    uuid:
      description: Migration UUID.
      type: str
    server_id:
      description: The server's id (Nova's C(instance_uuid)).
      type: str
    migration_type:
      description: V(live-migration), V(migration), V(evacuation) or V(resize).
      type: str
      sample: live-migration
    status:
      description: Nova's migration status.
      type: str
      sample: completed
    source_compute:
      description: Source compute host.
      type: str
    dest_compute:
      description: Destination compute host.
      type: str
    source_node:
      description: Source hypervisor node.
      type: str
    dest_node:
      description: Destination hypervisor node.
      type: str
    dest_host:
      description: Destination host IP address.
      type: str
    created_at:
      description: When the migration was created.
      type: str
    updated_at:
      description: When the record last changed.
      type: str
    old_instance_type_id:
      description: Flavor id before (resize).
      type: int
    new_instance_type_id:
      description: Flavor id after (resize).
      type: int
    progress:
      description:
        - Byte counters of a live migration in flight (C(memory_total_bytes), C(memory_processed_bytes),
          C(memory_remaining_bytes), C(disk_total_bytes), C(disk_processed_bytes), C(disk_remaining_bytes));
          null otherwise.
      type: dict
      sample:
        memory_total_bytes: 4294967296
        memory_processed_bytes: 1073741824
        memory_remaining_bytes: 3221225472
        disk_total_bytes: null
        disk_processed_bytes: null
        disk_remaining_bytes: null
"""

from ansible_collections.vmops.migration.plugins.module_utils.nova_migrations import MIGRATION_TYPES, migration_info
from ansible_collections.vmops.migration.plugins.module_utils.openstack import NovaModule

ARGUMENT_SPEC = dict(
    server=dict(type="str"),
    host=dict(type="str"),
    status=dict(type="list", elements="str"),
    migration_type=dict(type="str", choices=list(MIGRATION_TYPES)),
    changes_since=dict(type="str"),
    limit=dict(type="int"),
)


def main():
    module = NovaModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.run(migration_info)


if __name__ == "__main__":
    main()
