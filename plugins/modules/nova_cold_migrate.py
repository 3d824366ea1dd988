#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nova_cold_migrate
short_description: Cold-migrate Nova servers, many at once, then confirm or revert them
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Cold-migrates the given servers, or every server of a compute host, in one call. Nova stops each
    server, copies it to the new host and starts it there again if it was running. The moves run
    concurrently within per-source, per-target and cluster-wide limits, each watched through its
    migration record.
  - A cold migration ends waiting in C(VERIFY_RESIZE) on the new host. With O(confirm=true) (the
    default) the module confirms it, and the move is done when Nova records it C(confirmed). With
    O(confirm=false) it is left waiting, so that it can be checked and then confirmed (run again with
    O(confirm=true)) or reverted (O(revert=true)).
  - With O(target), the move is checked first with the collection's constraint rules on a snapshot of
    the hosts involved; a blocked target fails before anything is written, naming every reason code
    (for example C(TARGET_UNAVAILABLE), C(SAME_HOST), C(SOURCE_SERVICE_DOWN)). Without O(target),
    Nova's scheduler chooses each target.
  - A migration already in flight or waiting for a server is adopted (confirmed or reverted as asked),
    never started twice. Servers already on O(target) are left alone, so a second run changes nothing.
  - Failed moves carry a stable code (C(NO_VALID_HOST), C(DEST_UNAVAILABLE), C(TIMEOUT), ...) and what
    to do next.
options:
  servers:
    description: Servers to move, by id or exact name. At least one of O(servers) and O(host) is required.
    type: list
    elements: str
  host:
    description:
      - Move every server of this compute host (exact name, or TripleO short name / FQDN).
      - A server waiting in C(VERIFY_RESIZE) already shows on its new host; name it in O(servers) to
        confirm or revert it.
    type: str
  target:
    description:
      - Destination compute host. When omitted, Nova's scheduler chooses one per server.
      - Cannot be combined with O(revert=true), which sends each server back to where it came from.
    type: str
  confirm:
    description:
      - V(true) confirms each cold migration once it waits in C(VERIFY_RESIZE), including those found
        waiting from an earlier run.
      - V(false) leaves the moved servers waiting in C(VERIFY_RESIZE), and leaves alone those already waiting.
    type: bool
    default: true
  revert:
    description:
      - Revert the cold migrations of the selected servers that wait in C(VERIFY_RESIZE), so that each server
        goes back to its source host. Nothing is moved; with nothing waiting, nothing changes.
    type: bool
    default: false
  max_per_source:
    description: Cold migrations running at once out of one host; V(0) means no limit.
    type: int
    default: 1
  wait:
    description:
      - Wait for every move to end. With V(false) the moves are started and the module returns their
        migration ids with status C(in_progress); nothing is confirmed.
    type: bool
    default: true
  timeout:
    description:
      - Seconds for the whole run. Moves not started by then are C(skipped). Each move also has its own
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
    description: Resolves the servers and checks the target, then returns the planned moves without starting,
      confirming or reverting any.
  diff_mode:
    support: full
    description: The host of each server before and after (planned hosts in check mode).
notes:
  - A cold migration stops the guest for the whole copy; use M(vmops.migration.nova_live_migrate) to move
    running guests without downtime. Cold migration is what moves servers that cannot live-migrate
    (PCI passthrough, some SR-IOV ports, stopped servers).
  - Without O(target) and with O(servers), every run moves the servers again, as there is no wanted host
    to compare with. With O(host), a second run finds the host empty and changes nothing.
seealso:
  - module: vmops.migration.nova_live_migrate
  - module: vmops.migration.nova_migration_info
"""

EXAMPLES = r"""
- name: Move a server with a PCI device to compute-2, and confirm
  vmops.migration.nova_cold_migrate:
    cloud: overcloud
    servers: [gpu-1]
    target: compute-2

- name: Move it, leave it waiting in VERIFY_RESIZE so that it can be checked first
  vmops.migration.nova_cold_migrate:
    cloud: overcloud
    servers: [gpu-1]
    target: compute-2
    confirm: false

- name: It does not work there; send it back to where it came from
  vmops.migration.nova_cold_migrate:
    cloud: overcloud
    servers: [gpu-1]
    revert: true

- name: Empty compute-0, two cold migrations at a time, the scheduler choosing targets
  vmops.migration.nova_cold_migrate:
    cloud: overcloud
    host: compute-0
    max_per_source: 2
    max_attempts: 3
  register: emptied
"""

RETURN = r"""
results:
  description: One entry per server that moved, or whose waiting migration was confirmed or reverted, in start order.
  returned: always
  type: list
  elements: dict
  contains:
    instance: {description: Server id., type: str, sample: 9c1e7c3a-3f4e-4f7b-9f53-3d0e7c0b1a11}
    name: {description: Server name., type: str, sample: gpu-1}
    source:
      description: Host before the move (for a confirm or revert, the host it was waiting on).
      type: str
      sample: compute-0
    target:
      description: Host after the move (the source when it failed; the original host after a revert).
      type: str
      sample: compute-2
    type: {description: Always V(cold)., type: str, sample: cold}
    status:
      description:
        - C(completed) (moved and confirmed, moved and left waiting with O(confirm=false), or reverted with
          O(revert=true)), C(failed), C(skipped), C(in_progress) (O(wait=false)) or C(planned) (check mode).
      type: str
      sample: completed
    migration_id: {description: Nova migration id., type: str, sample: "42"}
    started_at:
      description: When the move started (UTC, ISO 8601).
      type: str
      sample: "2026-11-25T16:21:24.549948+00:00"
    seconds: {description: Seconds from start to end., type: float, sample: 12.5}
    bytes_transferred: {description: Always 0; Nova reports no byte counts for cold migrations., type: int, sample: 0}
    attempts: {description: Start attempts (retries on other targets included)., type: int, sample: 1}
    adopted:
      description: The migration was already running or waiting and was settled, not started.
      type: bool
      sample: false
    failure:
      description: Why the move failed, or null.
      type: dict
      contains:
        code: {description: Stable failure code., type: str, sample: NO_VALID_HOST}
        message: {description: Nova's words., type: str, sample: No valid host was found.}
        next_step: {description: What to do next., type: str, sample: Free capacity or enable a host.}
summary:
  description: Counts per status and failure code, and the longest move.
  returned: always
  type: dict
  sample: {total: 2, by_status: {completed: 2}, failure_codes: {}, bytes_transferred: 0, seconds_max: 9.3}
progress_log:
  description: One line per start, retry and end, with moves done / total and ETA.
  returned: when moves ran
  type: list
  elements: str
  sample: ["[1/2] gpu-1 (9c1e...) compute-0 -> compute-2: completed in 9.3s; ETA 9s"]
msg:
  description: Why nothing changed.
  returned: when nothing had to be done
  type: str
  sample: "nothing to move: every server is already on compute-2"
"""

from ansible_collections.vmops.migration.plugins.module_utils.nova_moves import COLD_ARGUMENT_SPEC, cold_migrate
from ansible_collections.vmops.migration.plugins.module_utils.openstack import NovaModule


def main():
    module = NovaModule(argument_spec=COLD_ARGUMENT_SPEC, required_one_of=[("servers", "host")],
                        supports_check_mode=True)
    module.run(cold_migrate)


if __name__ == "__main__":
    main()
