#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kubevirt_migrate
short_description: Live-migrate KubeVirt VMIs, many at once, within KubeVirt's migration limits
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Live-migrates one VMI, a list, the VMIs matching a label selector, or every VMI of a node, in one
    call, by creating one C(VirtualMachineInstanceMigration) (VMIM) per VMI and watching each until it
    ends.
  - "Before anything is written, every move is checked with the collection's constraint rules on a
    snapshot read from the API: the VMI's C(LiveMigratable) condition (C(KV_NOT_LIVE_MIGRATABLE)),
    ReadWriteMany storage (C(KV_STORAGE_NOT_RWX)), a target with room (C(KV_INSUFFICIENT_MEMORY)), the CPU
    model (C(KV_CPU_MODEL_UNSUPPORTED)), a schedulable target (C(TARGET_UNAVAILABLE)), and the caller's right
    to create and delete VMIMs, asked with a SelfSubjectAccessReview (C(KV_NOT_AUTHORIZED)). A blocked move
    fails the task with every reason code, and nothing is created."
  - VMIMs are started within KubeVirt's C(parallelMigrationsPerCluster) and C(parallelOutboundMigrationsPerNode)
    (read from the KubeVirt CR; defaults 5 and 2), so requests over the limits wait in this module rather than
    pile up C(Pending) in the cluster.
  - A migration that outlives O(migration_timeout) is cancelled by deleting its VMIM; the VMI keeps running on
    its source.
  - "Idempotent: a VMI with a migration in flight is watched, never given a second one; a VMI no longer on
    O(node), already on O(target_node) or on a node matching O(node_selector), or whose last migration by the
    same request (see O(request_id)) succeeded, is left alone, and then C(changed=false)."
  - Check mode checks everything and returns the planned moves without creating anything.
options:
  name:
    description:
      - VMIs to migrate, as C(name) (in O(namespace), default C(default)) or C(namespace/name).
      - At least one of O(name), O(label_selector) and O(node) is required.
    type: list
    elements: str
    aliases: [names, vmi, vmis]
  namespace:
    description:
      - Namespace of the VMIs named without one, and the only namespace O(label_selector) and O(node) look in.
        Default all namespaces (names without one use C(default)).
    type: str
  label_selector:
    description: Migrate the VMIs whose labels match this Kubernetes label selector, for example C(app=web,tier!=db).
    type: str
  node:
    description:
      - Migrate the VMIs running on this node. With O(name) or O(label_selector), only those of them that run on this node.
      - A second run after the node was emptied changes nothing.
    type: str
  target_node:
    description:
      - Node to move the VMIs to (sets the VMIM's C(addedNodeSelector) C(kubernetes.io/hostname)).
      - When omitted, KubeVirt's scheduler chooses, within O(node_selector).
    type: str
  node_selector:
    description: "Labels the target node must have (the VMIM's C(addedNodeSelector)), for example C({topology.kubernetes.io/zone: b})."
    type: dict
  skip_blocked:
    description:
      - V(false) fails before any write when a constraint rule blocks any selected VMI.
      - V(true) migrates what can move and returns the others in RV(blocked) with their reasons, without failing.
        C(KV_NOT_AUTHORIZED) fails the task either way.
    type: bool
    default: false
  request_id:
    description:
      - Names this request. Every VMIM carries a label derived from the VMI, O(node_selector) and this id; a VMI
        whose last migration with the same label succeeded and that has not moved since is not migrated again.
      - Give a new value to move the same VMIs again with the same options.
    type: str
  max_parallel:
    description: Migrations running at once in the whole cluster. Default and upper bound is KubeVirt's C(parallelMigrationsPerCluster).
    type: int
  max_per_node:
    description: Migrations running at once out of one node. Default and upper bound is KubeVirt's C(parallelOutboundMigrationsPerNode).
    type: int
  migration_timeout:
    description:
      - Seconds one migration may take from its creation before this module cancels it (deletes the VMIM);
        the result is C(failed) with code C(TIMEOUT).
      - Default is KubeVirt's completion timeout, C(completionTimeoutPerGiB) (150) seconds per GiB of memory.
    type: float
extends_documentation_fragment:
  - vmops.migration.kubernetes
  - vmops.migration.moves.poll
attributes:
  check_mode:
    support: full
    description: Reads the cluster and runs every check, then returns the planned moves (status C(planned)) without creating any VMIM.
  diff_mode:
    support: full
    description: The node of each moving VMI before and after (planned nodes in check mode).
notes:
  - With O(wait=false) the VMIMs are created (within the limits for the create calls only) and the module
    returns with status C(in_progress); KubeVirt queues what exceeds its limits as C(Pending).
  - O(wait_timeout) bounds the whole run; migrations still running then are cancelled.
seealso:
  - module: vmops.migration.kubevirt_migration_info
  - module: vmops.migration.kubevirt_migration_cancel
"""

EXAMPLES = r"""
- name: Move one VMI, KubeVirt's scheduler chooses the node
  vmops.migration.kubevirt_migrate:
    name: web/frontend-1

- name: Empty a node, leaving (and reporting) the VMIs that cannot live-migrate
  vmops.migration.kubevirt_migrate:
    node: worker-3
    skip_blocked: true
  register: moved

- name: Move the database VMIs to one node, checking first what would happen
  vmops.migration.kubevirt_migrate:
    namespace: db
    label_selector: app=postgres
    target_node: worker-5
  check_mode: true

- name: Move VMIs into another zone with a token from the environment
  vmops.migration.kubevirt_migrate:
    host: https://api.ocp.example.com:6443
    api_key: "{{ lookup('ansible.builtin.env', 'OCP_TOKEN') }}"
    name: [frontend-1, frontend-2]
    namespace: web
    node_selector:
      topology.kubernetes.io/zone: b
"""

RETURN = r"""
results:
  description: One entry per VMI that had to move, in start order.
  returned: always
  type: list
  elements: dict
  contains:
    instance: {description: The VMI as C(namespace/name)., type: str, sample: default/vm-01-01}
    name: {description: VMI name., type: str, sample: vm-01-01}
    source: {description: Node before the move., type: str, sample: node-01}
    target: {description: Node after the move (the source when it failed or was cancelled)., type: str, sample: node-03}
    type: {description: Always V(live)., type: str, sample: live}
    status:
      description: C(completed), C(failed), C(aborted), C(skipped), C(in_progress) (O(wait=false)) or C(planned) (check mode).
      type: str
      sample: completed
    migration_id: {description: Name of the VMIM., type: str, sample: vm-01-01-vmops-x7k2p}
    phase: {description: The VMIM's last phase (null once a cancelled VMIM is gone)., type: str, sample: Succeeded}
    phase_timestamps: {description: When the VMIM entered each phase., type: dict, sample: {Pending: "2026-11-25T16:21:24Z", Succeeded: "2026-11-25T16:21:31Z"}}
    started_at:
      description: When the VMIM was created or adopted (UTC, ISO 8601).
      type: str
      sample: "2026-11-25T16:21:24.549948+00:00"
    seconds: {description: Seconds from start to end., type: float, sample: 7.5}
    bytes_transferred:
      description: Always 0, VMIMs carry no byte counters.
      type: int
      sample: 0
    attempts: {description: Start attempts., type: int, sample: 1}
    adopted:
      description: The VMIM was already in flight and was watched, not created.
      type: bool
      sample: false
    failure:
      description: Why the move failed, or null.
      type: dict
      contains:
        code:
          description: Stable failure code (C(TIMEOUT), C(ABORTED), C(NO_VALID_HOST), C(STALLED), ...).
          type: str
          sample: TIMEOUT
        message: {description: KubeVirt's words., type: str, sample: still running after 30s (timeout 30s)}
        next_step: {description: What to do next., type: str, sample: Rerun with a larger timeout.}
blocked:
  description: VMIs that cannot move, with every reason (C(code), C(severity), C(message), C(target)); on failure too.
  returned: always
  type: list
  elements: dict
  sample: [{instance: default/vm-01-12, source: node-01, reasons: [{code: KV_NOT_LIVE_MIGRATABLE, severity: block, message: "...", target: null}]}]
move_warnings:
  description: Warnings of the constraint rules about the moves (for example C(KV_EVICTION_STRATEGY_NONE)), each with its C(instance).
  returned: always
  type: list
  elements: dict
already_done:
  description: Selected VMIs that were already where the request wants them.
  returned: always
  type: list
  elements: str
  sample: [default/vm-01-01]
summary:
  description: Counts per status and failure code, and the longest move.
  returned: always
  type: dict
  sample: {total: 11, by_status: {completed: 11}, failure_codes: {}, bytes_transferred: 0, seconds_max: 9.1}
progress_log:
  description: One line per start, cancel and end, with moves done / total and ETA.
  returned: when migrations ran
  type: list
  elements: str
"""

from ansible_collections.vmops.migration.plugins.module_utils.kubernetes import KubeModule
from ansible_collections.vmops.migration.plugins.module_utils.kubevirt_moves import ARGUMENT_SPEC, migrate


def main():
    module = KubeModule(argument_spec=ARGUMENT_SPEC, required_one_of=[("name", "label_selector", "node")],
                        supports_check_mode=True)
    module.run(migrate)


if __name__ == "__main__":
    main()
