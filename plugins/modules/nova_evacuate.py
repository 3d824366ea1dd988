#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nova_evacuate
short_description: Rebuild the servers of a dead Nova compute host on other hosts, each once
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Evacuates the servers of a failed compute host (all of them, or the given ones). Nova rebuilds each
    on another host from its shared or volume-backed disks, keeping its UUID, name, ports and addresses.
    The module checks and returns that identity (RV(identity)).
  - Evacuating a host that still runs its guests starts a second copy of each on the same disks and
    corrupts them. So the module refuses, before anything is written, unless the host's nova-compute
    service is down B(and) forced down (M(vmops.migration.nova_compute_service) with O(vmops.migration.nova_compute_service#module:forced_down=true)),
    or O(fencing_confirmed=true) says the host is powered off or fenced. The result says which held (RV(safety)).
  - Evacuation is asynchronous in Nova; each move is watched until its C(evacuation) migration record is
    C(done). From compute API microversion 2.95 Nova leaves the rebuilt server C(SHUTOFF); a server that was
    running before is started again and counts as done once it is C(ACTIVE).
  - No server is evacuated twice. A server whose evacuation from the host is under way is adopted and
    watched; a named server already rebuilt elsewhere from this host is reported in RV(already_evacuated);
    once the host has no servers left, a run changes nothing.
  - Servers marked for instance HA (metadata C(HA_Enabled=True), as Masakari reads it) start first.
  - With O(target), the moves are checked first with the collection's constraint rules (capacity, CPU,
    server groups, target availability, ...); a blocked target fails before anything is written, naming
    every reason code. Without O(target), Nova's scheduler chooses each target.
options:
  host:
    description: The dead compute host (exact name, or TripleO short name / FQDN).
    type: str
    required: true
  servers:
    description:
      - Evacuate only these servers, by id or exact name. Each must be on O(host) (or already evacuated from
        it, which changes nothing); any other fails the task, naming them, before anything is written.
      - When omitted, every server of O(host) is evacuated.
    type: list
    elements: str
  target:
    description: Destination compute host. When omitted, Nova's scheduler chooses one per server.
    type: str
  fencing_confirmed:
    description:
      - Confirms that O(host) is powered off or fenced (cut off from storage and network), so that evacuating
        it cannot run any guest twice. Needed only when its compute service is not both down and forced down.
    type: bool
    default: false
  wait:
    description:
      - Wait for every evacuation to end. With V(false) they are started and the module returns their
        migration ids with status C(in_progress); servers are not started again and RV(identity) is empty.
    type: bool
    default: true
  timeout:
    description:
      - Seconds for the whole run. Evacuations not started by then are C(skipped). Each one also has its own
        timeout, 800 s per GiB of max(RAM, 2 GiB) plus disk.
    type: int
    default: 3600
extends_documentation_fragment:
  - vmops.migration.openstack
  - vmops.migration.moves
  - vmops.migration.moves.poll
attributes:
  check_mode:
    support: full
    description: Checks that the host is safe to evacuate, resolves the servers and checks the target, then
      returns the planned evacuations without starting any.
  diff_mode:
    support: full
    description: The host of each server before and after (planned hosts in check mode).
notes:
  - All evacuations leave O(host), so there is no per-source limit; O(max_per_target) and O(max_parallel) bound them.
  - Servers on local (non-shared) disks are rebuilt from their image, and their disk contents are lost. Nova
    decides this per server from its storage.
  - Before the host comes back, restart its nova-compute so that it deletes the evacuated guests, then clear
    forced_down with M(vmops.migration.nova_compute_service). Nova refuses to clear it while C(done) evacuation
    records remain.
seealso:
  - module: vmops.migration.nova_compute_service
  - module: vmops.migration.nova_migration_info
"""

EXAMPLES = r"""
- name: Mark the failed host forced down (it is powered off)
  vmops.migration.nova_compute_service:
    cloud: overcloud
    host: overcloud-novacompute-3
    forced_down: true
    host_fenced: true

- name: Evacuate every server of it, the scheduler choosing targets
  vmops.migration.nova_evacuate:
    cloud: overcloud
    host: overcloud-novacompute-3
    max_parallel: 4
    max_attempts: 2
  register: evacuated

- name: Show why it was safe and where each server went
  ansible.builtin.debug:
    msg: "{{ evacuated.safety }}: {{ evacuated.identity | map(attribute='host') | list }}"

- name: Evacuate two servers of a host the out-of-band controller confirmed powered off
  vmops.migration.nova_evacuate:
    cloud: overcloud
    host: compute-7
    servers: [db-1, db-2]
    target: compute-8
    fencing_confirmed: true
"""

RETURN = r"""
safety:
  description: Why evacuating O(host) cannot run a guest twice (service down and forced down, or fencing confirmed).
  returned: unless the evacuation was refused
  type: str
  sample: "the nova-compute service on compute-3 is down and forced down: Nova will not run its guests there"
results:
  description: One entry per evacuated server, HA-enabled servers first, in start order.
  returned: always
  type: list
  elements: dict
  contains:
    instance: {description: Server id., type: str, sample: 9c1e7c3a-3f4e-4f7b-9f53-3d0e7c0b1a11}
    name: {description: Server name., type: str, sample: db-1}
    source: {description: The dead host., type: str, sample: compute-3}
    target: {description: Host after the evacuation (the dead host when it failed)., type: str, sample: compute-1}
    type: {description: Always V(evacuate)., type: str, sample: evacuate}
    status:
      description: C(completed), C(failed), C(skipped), C(in_progress) (O(wait=false)) or C(planned) (check mode).
      type: str
      sample: completed
    migration_id: {description: Nova migration id of the evacuation., type: str, sample: "42"}
    started_at:
      description: When the evacuation started (UTC, ISO 8601).
      type: str
      sample: "2026-11-25T16:21:24.549948+00:00"
    seconds: {description: Seconds from start to end (server running again included)., type: float, sample: 4.2}
    bytes_transferred: {description: Always 0; nothing is copied from a dead host., type: int, sample: 0}
    attempts: {description: Start attempts (retries on other targets included)., type: int, sample: 1}
    adopted:
      description: The evacuation was already under way and was watched, not started.
      type: bool
      sample: false
    failure:
      description: Why the evacuation failed, or null.
      type: dict
      contains:
        code: {description: Stable failure code., type: str, sample: NO_VALID_HOST}
        message: {description: Nova's words., type: str, sample: No valid host was found.}
        next_step: {description: What to do next., type: str, sample: Free capacity or enable a host.}
identity:
  description:
    - For each completed evacuation, the server as Nova shows it afterwards and whether its UUID, name and
      addresses are those it had before. The task fails when any is not.
  returned: always
  type: list
  elements: dict
  contains:
    id: {description: Server UUID., type: str, sample: 9c1e7c3a-3f4e-4f7b-9f53-3d0e7c0b1a11}
    name: {description: Server name., type: str, sample: db-1}
    addresses: {description: Network name -> sorted addresses., type: dict, sample: {internal: [10.0.0.12]}}
    host: {description: Its new host., type: str, sample: compute-1}
    unchanged:
      description: UUID, name and addresses are the same as before the evacuation.
      type: bool
      sample: true
already_evacuated:
  description: Named servers (O(servers)) that were already evacuated from O(host) and were left alone.
  returned: unless the evacuation was refused
  type: list
  elements: str
  sample: [db-2]
summary:
  description: Counts per status and failure code, and the longest evacuation.
  returned: always
  type: dict
  sample: {total: 2, by_status: {completed: 2}, failure_codes: {}, bytes_transferred: 0, seconds_max: 4.2}
progress_log:
  description: One line per start, retry and end, with evacuations done / total and ETA.
  returned: when evacuations ran
  type: list
  elements: str
  sample: ["[1/2] db-1 (9c1e...) compute-3 -> compute-1: completed in 4.2s; ETA 4s"]
msg:
  description: Why nothing changed, or what failed.
  returned: when nothing had to be done, or on failure
  type: str
  sample: no servers left to evacuate on compute-3
"""

from ansible_collections.vmops.migration.plugins.module_utils.nova_moves import EVACUATE_ARGUMENT_SPEC, evacuate
from ansible_collections.vmops.migration.plugins.module_utils.openstack import NovaModule


def main():
    module = NovaModule(argument_spec=EVACUATE_ARGUMENT_SPEC, supports_check_mode=True)
    module.run(evacuate)


if __name__ == "__main__":
    main()
