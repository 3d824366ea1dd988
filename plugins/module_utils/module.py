# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of the collection's module wrappers: connection options merged into the module's
own, and `run`, the one place our typed errors become Ansible failures.

Each wrapper (`openstack.NovaModule`, `kubernetes.KubeModule`) adds its connection options, its
client, and how its library's exceptions read (`library_errors`, `describe_library_error`).
"""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError, VmopsError
from ansible_collections.vmops.migration.plugins.module_utils.snapshot import SnapshotError


class VmopsModule(AnsibleModule):
    """AnsibleModule with `CONNECTION_ARGUMENT_SPEC` merged in (the module's own options win)."""

    CONNECTION_ARGUMENT_SPEC = {}

    def __init__(self, argument_spec, **kwargs):
        spec = dict(self.CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        super().__init__(argument_spec=spec, **kwargs)

    def library_errors(self):
        """The client library's exception classes that `run` turns into failures."""
        return ()

    def describe_library_error(self, error):
        """`fail_json` keywords for one of `library_errors()`."""
        return {"msg": str(error)}

    def run(self, function):
        """Call `function(self)` and exit with its result dict, or fail with a clear message."""
        try:
            result = function(self)
        except InputError as error:
            self.fail_json(msg=str(error), parameter=error.parameter)
        except (VmopsError, SnapshotError) as error:
            self.fail_json(msg=str(error), **getattr(error, "details", {}))
        except self.library_errors() as error:
            self.fail_json(**self.describe_library_error(error))
        self.exit_json(**result)
