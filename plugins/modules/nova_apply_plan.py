#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: nova_apply_plan
short_description: Carry out a migration plan on Nova, every move in one concurrent run
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Runs the moves of a plan made by M(vmops.migration.nova_cluster_facts) and the
    P(vmops.migration.drain_plan#filter), P(vmops.migration.evacuate_plan#filter) or
    P(vmops.migration.rebalance_plan#filter) filters (live migrations, cold migrations, confirmed
    by default, and evacuations), concurrently within the plan's limits and in its order.
  - A server already on its planned target counts as done; a server that moved elsewhere since
    the plan was made is skipped and listed, never moved twice. Migrations already in flight
    are adopted and watched, so a rerun after an interruption resumes instead of starting again.
  - Evacuation moves run only when each source compute service is down and forced down, or
    O(fencing_confirmed=true) says the operator fenced it; a live host is never evacuated.
options:
  plan:
    description: The plan (plan schema v1).
    type: dict
    required: true
  max_per_source:
    description:
      - Moves running at once out of one host; V(0) means no limit.
      - Defaults to the plan's C(limits.per_source), and for the hosts in C(limits.per_source_hosts) to their own
        gathered C(max_concurrent_live_migrations). A value given here applies to every host.
    type: int
  max_per_target:
    description: Moves running at once into one host; V(0) means no limit. Defaults to the plan's C(limits.per_target).
    type: int
  max_parallel:
    description: Moves running at once in the whole run; V(0) means no limit. Defaults to the plan's C(limits.per_cluster).
    type: int
  move_timeout:
    description:
      - Seconds a live migration may run before O(on_timeout) applies; V(0) means no limit.
      - Default the plan's C(timeout_seconds) of the move, which the planner takes from the source's gathered
        C(live_migration_completion_timeout) (seconds per GiB of max(RAM, 2 GiB) plus local disk, as Nova counts),
        else Nova's default of 800 s per GiB.
    type: float
  on_timeout:
    description:
      - What to do with a live migration still running after its timeout. V(abort) cancels it (status C(failed),
        code C(TIMEOUT); the server keeps running on its source); V(force_complete) pauses the guest so it completes,
        once, as Nova does.
      - Default the plan's C(timeout_action) of the move (the source's gathered C(live_migration_timeout_action)), else V(abort).
    type: str
    choices: [abort, force_complete]
  max_attempts:
    description:
      - Attempts per server. After a failure another target could fix (C(NO_VALID_HOST), C(DEST_UNAVAILABLE), ...),
        the move is re-planned onto the best other host by the constraint rules, never onto a target that failed.
    type: int
    default: 2
  confirm:
    description: Confirm cold migrations once the server reaches VERIFY_RESIZE.
    type: bool
    default: true
  fencing_confirmed:
    description:
      - For evacuation moves only. V(true) states that each source host is powered off or fenced even though its
        compute service is not forced down. Evacuating a host whose guests still run starts second copies of them
        on shared storage; only confirm what you verified.
    type: bool
    default: false
  progress_file:
    description: File to append progress lines to as moves start and end (the C(vmops.migration.progress) callback shows them).
    type: path
extends_documentation_fragment:
  - vmops.migration.openstack
  - vmops.migration.moves.poll
  - vmops.migration.moves.stall
  - vmops.migration.moves.queue
attributes:
  check_mode:
    support: full
    description: Resolves the servers and returns the moves that would run, without starting any.
  diff_mode:
    support: full
    description: The host of each moving server before and after.
seealso:
  - module: vmops.migration.nova_cluster_facts
  - module: vmops.migration.nova_live_migrate
"""

EXAMPLES = r"""
- name: Read the cluster
  vmops.migration.nova_cluster_facts:
    cloud: overcloud
  register: facts

- name: Drain compute-3 as planned, retrying failed moves elsewhere
  vmops.migration.nova_apply_plan:
    cloud: overcloud
    plan: "{{ facts.snapshot | vmops.migration.drain_plan(['compute-3']) }}"
    stall_timeout: 120
    on_stall: abort
    max_attempts: 3
  register: applied
"""

RETURN = r"""
results:
  description: One entry per move that ran, with C(instance), C(name), C(source), C(target) (where the server is now),
    C(type), C(status) (V(completed), V(force_completed), V(aborted), V(failed), V(skipped)), C(migration_id),
    C(started_at), C(seconds), C(bytes_transferred), C(attempts) and C(failure) (C(code), C(message), C(next_step)).
  returned: always
  type: list
  elements: dict
summary:
  description: Counts per status, failure codes seen, bytes moved, longest move.
  returned: always
  type: dict
already_done:
  description: Servers already on their planned target.
  returned: always
  type: list
  elements: str
skipped_changed_since_plan:
  description: Servers that are on neither their planned source nor target any more, with where they are now.
  returned: always
  type: list
  elements: dict
progress_log:
  description: The progress lines (moves done / total, bytes, ETA) as they happened.
  returned: when moves ran
  type: list
  elements: str
"""

from ansible_collections.vmops.migration.plugins.module_utils.nova_plan_apply import ARGUMENT_SPEC, apply_plan
from ansible_collections.vmops.migration.plugins.module_utils.openstack import NovaModule


def main():
    module = NovaModule(ARGUMENT_SPEC, supports_check_mode=True)
    module.run(apply_plan)


if __name__ == "__main__":
    main()
