# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # The limits and retries of the Nova modules that move many servers at once
    # (nova_live_migrate, nova_cold_migrate, nova_evacuate).
    DOCUMENTATION = r"""
options:
  max_per_target:
    description:
      - Moves running at once into one host; V(0) means no limit.
      - Scheduler-chosen moves count against their target once Nova names it.
    type: int
    default: 0
  max_parallel:
    description: Moves running at once in the whole run; V(0) means no limit.
    type: int
    default: 0
  max_attempts:
    description:
      - Attempts per server. After a failure a different target could fix (C(NO_VALID_HOST), C(DEST_UNAVAILABLE),
        C(INSUFFICIENT_RESOURCES), C(UNKNOWN), ...), the move is retried on the best other host by the
        constraint rules, never on a target that already failed.
      - Only scheduler-chosen moves are retried; a named O(target) is what was asked for.
    type: int
    default: 1
"""

    # How often the modules that start migrations look at them (Nova and KubeVirt).
    POLL = r"""
options:
  poll_interval:
    description: Seconds between two looks at each running migration.
    type: float
    default: 2.0
"""

    # Live migrations handed to Nova ahead of time (nova_live_migrate, nova_apply_plan).
    QUEUE = r"""
options:
  queued_per_source:
    description:
      - Live migrations handed to Nova per source host beyond O(max_per_source). Nova queues them (by its own
        C(max_concurrent_live_migrations)) and starts the next the moment one ends, so a source never waits for
        this module's next poll and request between two moves. A queued move's timeout and stall timer start
        when it leaves Nova's queue; a queued move counts against O(max_per_target) and O(max_parallel).
      - Two keep a source busy even when its moves last less than a poll interval. V(0) hands a move over
        only when its source has room.
    type: int
    default: 2
"""

    # What to do with a live migration that makes no progress (nova_live_migrate, nova_apply_plan).
    STALL = r"""
options:
  stall_timeout:
    description:
      - Seconds without the remaining bytes shrinking after which a live migration counts as stalled
        (a guest dirtying memory as fast as the network copies it). Unset or V(0) never stalls.
    type: float
  on_stall:
    description:
      - What to do with a stalled live migration.
      - V(abort) cancels it (status C(aborted), code C(STALLED)); the server keeps running on its source
        and the task does not fail for it.
      - V(force_complete) pauses the guest until the rest is copied (brief downtime, no data loss); status
        C(force_completed). If even that makes no progress within O(stall_timeout), it is aborted.
      - V(fail) cancels it like V(abort) (a migration nobody watches is never left running) and fails the task.
    type: str
    choices: [abort, force_complete, fail]
    default: abort
"""

    # The modules that act on one server's live migration in progress (nova_migration_abort,
    # nova_migration_force_complete). List it before vmops.migration.openstack: of two fragments
    # documenting the same option, the one listed first wins, and these wait/timeout are the ones meant.
    MIGRATION_ACTION = r"""
options:
  server:
    description: The server, by id or exact name.
    type: str
    required: true
  migration_id:
    description:
      - The live migration to act on; it must belong to O(server). When omitted, the server's live migration in
        progress is used.
    type: str
  poll_interval:
    description: Seconds between two looks at the migration while waiting.
    type: float
    default: 1.0
  wait:
    description: Wait until the migration has ended.
    type: bool
    default: true
  timeout:
    description: Seconds to wait with O(wait=true).
    type: int
    default: 3600
attributes:
  check_mode:
    support: full
    description: Finds the migration and returns what would be done, without acting.
  diff_mode:
    support: none
    description: The result names the migration and its status before and after.
"""
