#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nova_live_migrate
short_description: Live-migrate Nova servers, many at once, within concurrency limits
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Live-migrates the given servers, or every server of a compute host, in one call. The moves
    run concurrently within per-source, per-target and cluster-wide limits, each watched until
    its migration record ends (not until the server looks ACTIVE, which Nova shows earlier).
  - With O(target), the move is checked first with the collection's constraint rules on a
    snapshot of the hosts involved; a blocked target fails before anything is written, naming
    every reason code (for example C(TARGET_UNAVAILABLE), C(SAME_HOST), C(SERVER_GROUP_POLICY)).
    Without O(target), Nova's scheduler chooses each target.
  - A migration already in flight for a server is adopted and watched, never started twice;
    a start call whose answer was lost is looked up before it is sent again.
  - Failed moves carry a stable code (C(NO_VALID_HOST), C(DEST_UNAVAILABLE), C(STALLED),
    C(TIMEOUT), ...) and what to do next. A failed or aborted live migration leaves the server
    running on its source.
options:
  servers:
    description: Servers to move, by id or exact name. At least one of O(servers) and O(host) is required.
    type: list
    elements: str
  host:
    description: Move every server of this compute host (exact name, or TripleO short name / FQDN).
    type: str
  target:
    description: Destination compute host. When omitted, Nova's scheduler chooses one per server.
    type: str
  block_migration:
    description:
      - V(auto) lets Nova decide by the server's disks; shared storage and volume-backed servers need no block migration.
      - V(true) copies local disks, V(false) refuses servers with local disks.
    type: str
    choices: [auto, "true", "false"]
    default: auto
  max_per_source:
    description:
      - Live migrations running at once out of one host, like Nova's C(max_concurrent_live_migrations) (default 1).
        Nova queues what exceeds its own setting anyway. V(0) means no limit.
    type: int
    default: 1
  wait:
    description:
      - Wait for every move to end. With V(false) the moves are started (Nova queues them per source) and
        the module returns their migration ids with status C(in_progress).
    type: bool
    default: true
  timeout:
    description:
      - Seconds for the whole run. Moves not started by then are C(skipped), running ones are aborted
        (code C(TIMEOUT)). Each move also has its own timeout, Nova's completion timeout of 800 s per GiB
        of max(RAM, 2 GiB) plus disk.
    type: int
    default: 3600
extends_documentation_fragment:
  - vmops.migration.openstack
  - vmops.migration.moves
  - vmops.migration.moves.poll
  - vmops.migration.moves.stall
  - vmops.migration.moves.queue
attributes:
  check_mode:
    support: full
    description: Resolves the servers and checks the target, then returns the planned moves without starting any.
  diff_mode:
    support: full
    description: The host of each moving server before and after (planned hosts in check mode).
notes:
  - The target check reads the hosts involved with the same code as M(vmops.migration.nova_cluster_facts);
    capacity is also checked again by Nova's scheduler when the move starts.
  - Progress lines (moves done / total, bytes moved, ETA) go to the module log (journal or syslog) as the
    moves happen, and are returned in RV(progress_log).
seealso:
  - module: vmops.migration.nova_migration_abort
  - module: vmops.migration.nova_migration_force_complete
  - module: vmops.migration.nova_migration_info
"""

EXAMPLES = r"""
- name: Move two servers to compute-2
  vmops.migration.nova_live_migrate:
    cloud: overcloud
    servers: [web-1, 9c1e7c3a-3f4e-4f7b-9f53-3d0e7c0b1a11]
    target: compute-2

- name: Empty compute-0, two moves at a time out of it, the scheduler choosing targets
  vmops.migration.nova_live_migrate:
    cloud: overcloud
    host: compute-0
    max_per_source: 2
    max_attempts: 3
    stall_timeout: 120
    on_stall: force_complete
  register: drained

- name: Show how it went
  ansible.builtin.debug:
    msg: "{{ drained.summary }}"
"""

RETURN = r"""
results:
  description: One entry per server that had to move, in start order.
  returned: always
  type: list
  elements: dict
  contains:
    instance: {description: Server id., type: str, sample: 9c1e7c3a-3f4e-4f7b-9f53-3d0e7c0b1a11}
    name: {description: Server name., type: str, sample: web-1}
    source: {description: Host before the move., type: str, sample: compute-0}
    target: {description: Host after the move (the source when it failed or was aborted)., type: str, sample: compute-2}
    type: {description: Always V(live)., type: str, sample: live}
    status:
      description: C(completed), C(force_completed), C(failed), C(aborted), C(skipped), C(in_progress) (O(wait=false)) or C(planned) (check mode).
      type: str
      sample: completed
    migration_id: {description: Nova migration id., type: str, sample: "42"}
    started_at:
      description: When the move started (UTC, ISO 8601).
      type: str
      sample: "2026-11-25T16:21:24.549948+00:00"
    seconds: {description: Seconds from start to end., type: float, sample: 12.5}
    bytes_transferred:
      description: Memory and disk bytes copied, as Nova reported last.
      type: int
      sample: 4294967296
    attempts: {description: Start attempts (retries on other targets included)., type: int, sample: 1}
    adopted:
      description: The migration was already running (or its start answer was lost) and was watched, not started.
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
  description: Counts per status and failure code, total bytes and the longest move.
  returned: always
  type: dict
  sample: {total: 30, by_status: {completed: 30}, failure_codes: {}, bytes_transferred: 64424509440, seconds_max: 2.1}
progress_log:
  description: One line per start, retry, abort and end, with moves done / total, bytes moved and ETA.
  returned: when moves ran
  type: list
  elements: str
  sample: ["[1/30] web-1 (9c1e...) compute-0 -> compute-2: completed in 1.2s, 2.0 GiB; 2.0 GiB moved, ETA 35s"]
"""

from ansible_collections.vmops.migration.plugins.module_utils.nova_moves import LIVE_ARGUMENT_SPEC, live_migrate
from ansible_collections.vmops.migration.plugins.module_utils.openstack import NovaModule


def main():
    module = NovaModule(argument_spec=LIVE_ARGUMENT_SPEC, required_one_of=[("servers", "host")],
                        supports_check_mode=True)
    module.run(live_migrate)


if __name__ == "__main__":
    main()
