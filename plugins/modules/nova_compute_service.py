#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nova_compute_service
short_description: Enable, disable or force down a nova-compute service, safely
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Disables a compute host for new guests before a drain and enables it again afterwards, and
    sets or clears C(forced_down) around an evacuation.
  - Disable reasons this module writes start with C(vmops:). Enabling undoes only such a disable;
    a host someone else disabled stays disabled unless O(force=true).
  - Idempotent, compares the wanted state with the service's state; check mode and diff show the
    change without making it.
  - Needs admin credentials and compute API microversion 2.53 or later (Pike).
options:
  host:
    description:
      - The compute host, by nova-compute service host name (exact; a TripleO short name matches its
        FQDN when unique).
    type: str
    required: true
  state:
    description:
      - V(disabled) stops the scheduler from placing new guests on the host; V(enabled) lets it again.
      - Left as is when omitted.
    type: str
    choices: [enabled, disabled]
  disabled_reason:
    description:
      - Reason stored with O(state=disabled); prefixed with C(vmops:) unless it already starts with it.
      - A host already disabled with another C(vmops:) reason gets this one. A host disabled by
        someone else keeps its reason unless O(force=true).
      - Ignored with O(state=enabled).
    type: str
    default: vmops:nova_compute_service
  force:
    description:
      - Enable a host that someone else disabled (its reason does not start with C(vmops:)), or
        replace their disable reason with ours.
    type: bool
    default: false
  forced_down:
    description:
      - V(true) marks the service down at once, without waiting for missed heartbeats, so that its
        guests can be evacuated. Requires O(host_fenced=true).
      - V(false) clears it. Nova refuses while C(done) evacuation records from the host remain; the
        module then fails before writing and says to start the host's nova-compute first.
      - Left as is when omitted.
    type: bool
  host_fenced:
    description:
      - Confirms that the host is fenced (powered off or cut off from storage and network). Forcing a
        live host down and evacuating it runs each guest twice (split brain) and corrupts its disks.
    type: bool
    default: false
extends_documentation_fragment:
  - vmops.migration.openstack
attributes:
  check_mode:
    support: full
    description: Reads the service and returns what would change, with diff, writing nothing.
  diff_mode:
    support: full
    description: Before and after of C(status), C(disabled_reason) and C(forced_down).
seealso:
  - module: vmops.migration.nova_cluster_facts
"""

EXAMPLES = r"""
- name: Take a compute out of scheduling before draining it
  vmops.migration.nova_compute_service:
    cloud: overcloud
    host: overcloud-novacompute-3
    state: disabled
    disabled_reason: "drain:change-4711"

- name: Put it back (only if this collection disabled it)
  vmops.migration.nova_compute_service:
    cloud: overcloud
    host: overcloud-novacompute-3
    state: enabled

- name: Mark a fenced, dead compute down so its guests can be evacuated
  vmops.migration.nova_compute_service:
    cloud: overcloud
    host: overcloud-novacompute-5
    state: disabled
    disabled_reason: "evacuate:incident-93"
    forced_down: true
    host_fenced: true

- name: After repair and a nova-compute restart, clear forced_down
  vmops.migration.nova_compute_service:
    cloud: overcloud
    host: overcloud-novacompute-5
    forced_down: false
"""

RETURN = r"""
changed:
  description: Whether the service differed from the wanted state (and, outside check mode, was updated).
  returned: always
  type: bool
service:
  description: The service after the change (in check mode, as it would be).
  returned: success
  type: dict
  contains:
    id:
      description: Service UUID.
      type: str
    host:
      description: Compute host name.
      type: str
      sample: overcloud-novacompute-3.localdomain
    binary:
      description: Always V(nova-compute).
      type: str
    zone:
      description: Availability zone.
      type: str
    state:
      description: V(up) or V(down), from the service's heartbeats.
      type: str
    status:
      description: V(enabled) or V(disabled).
      type: str
    disabled_reason:
      description: Why the service is disabled; null when enabled.
      type: str
      sample: "vmops:drain:change-4711"
    forced_down:
      description: Whether the service is forced down.
      type: bool
    updated_at:
      description: Last heartbeat or update.
      type: str
diff:
  description: C(status), C(disabled_reason) and C(forced_down) before and after.
  returned: success
  type: dict
  sample:
    before: {status: enabled, disabled_reason: null, forced_down: false}
    after: {status: disabled, disabled_reason: "vmops:drain:change-4711", forced_down: false}
"""

from ansible_collections.vmops.migration.plugins.module_utils.nova_services import DEFAULT_REASON, compute_service
from ansible_collections.vmops.migration.plugins.module_utils.openstack import NovaModule

ARGUMENT_SPEC = dict(
    host=dict(type="str", required=True),
    state=dict(type="str", choices=["enabled", "disabled"]),
    disabled_reason=dict(type="str", default=DEFAULT_REASON),
    force=dict(type="bool", default=False),
    forced_down=dict(type="bool"),
    host_fenced=dict(type="bool", default=False),
)


def main():
    module = NovaModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.run(compute_service)


if __name__ == "__main__":
    main()
