#!/usr/bin/python
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kubevirt_migration_config
short_description: Read or change KubeVirt's live migration settings
version_added: 0.1.0
author: vmops.migration developers (@vmops)
description:
  - Returns the effective migration settings (the KubeVirt CR's C(spec.configuration.migrations) over
    KubeVirt's defaults).
  - Changes the options given, where their owner keeps them. With OpenShift Virtualization (a
    HyperConverged CR exists) that is the HyperConverged CR's C(spec.liveMigrationConfig), which HCO copies
    into the KubeVirt CR and would restore if the KubeVirt CR were changed directly. Without HCO it is the
    KubeVirt CR's C(spec.configuration.migrations).
  - Idempotent (only options that differ are written), with check mode and diff.
options:
  parallel_migrations_per_cluster:
    description: Migrations running at once in the cluster (KubeVirt's default 5).
    type: int
  parallel_outbound_migrations_per_node:
    description: Migrations running at once out of one node (KubeVirt's default 2).
    type: int
  bandwidth_per_migration:
    description: Bandwidth cap of one migration as a Kubernetes quantity, for example C(64Mi); C(0Mi) is no limit (the default).
    type: str
  completion_timeout_per_gib:
    description: Seconds per GiB of guest memory after which KubeVirt gives up a migration (default 150).
    type: int
  progress_timeout:
    description: Seconds without progress after which KubeVirt aborts a migration (default 150).
    type: int
  allow_post_copy:
    description: Let a migration that does not converge switch to post-copy (a failure during post-copy loses the guest).
    type: bool
  allow_auto_converge:
    description: Let the hypervisor throttle the guest's CPU so a busy guest converges.
    type: bool
  network:
    description: Name of the NetworkAttachmentDefinition of a dedicated migration network.
    type: str
extends_documentation_fragment:
  - vmops.migration.kubernetes
attributes:
  check_mode:
    support: full
    description: Returns the settings as they would be and the fields that would change, without writing them.
  diff_mode:
    support: full
    description: The effective migration settings before and after.
notes:
  - With O(wait=true) the module waits until the KubeVirt CR shows the change.
"""

EXAMPLES = r"""
- name: Read the effective migration settings
  vmops.migration.kubevirt_migration_config:
  register: migration_settings

- name: Allow more migrations at once for a maintenance window
  vmops.migration.kubevirt_migration_config:
    parallel_migrations_per_cluster: 10
    parallel_outbound_migrations_per_node: 3

- name: Cap the bandwidth of each migration, showing the change first
  vmops.migration.kubevirt_migration_config:
    bandwidth_per_migration: 256Mi
  check_mode: true
  diff: true
"""

RETURN = r"""
config:
  description: The effective migration settings at the end (in check mode, as they would be).
  returned: always
  type: dict
  sample: {parallelMigrationsPerCluster: 5, parallelOutboundMigrationsPerNode: 2, bandwidthPerMigration: 0Mi,
           completionTimeoutPerGiB: 150, progressTimeout: 150, allowPostCopy: false, allowAutoConverge: false}
source:
  description: The object that owns the settings, and that a change is written to.
  returned: always
  type: str
  sample: HyperConverged kubevirt-hyperconverged/kubevirt-hyperconverged
changes:
  description: The fields written (or that would be, in check mode), with their new values.
  returned: always
  type: dict
  sample: {parallelMigrationsPerCluster: 10}
"""

from ansible_collections.vmops.migration.plugins.module_utils.kubernetes import KubeModule
from ansible_collections.vmops.migration.plugins.module_utils.kubevirt_config import ARGUMENT_SPEC, configure


def main():
    module = KubeModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.run(configure)


if __name__ == "__main__":
    main()
