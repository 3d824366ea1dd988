# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The base of the collection's module wrappers: connection options merged into the module's
own, and `run`, the one place our typed errors become Ansible failures.

Each wrapper (`openstack.NovaModule`, `kubernetes.KubeModule`) adds its connection options, its
client, and how its library's exceptions read (`library_errors`, `describe_library_error`).
"""

from __future__ import annotations

import ssl

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError, VmopsError
from ansible_collections.vmops.migration.plugins.module_utils.snapshot import SnapshotError


# Keys whose values are credentials wherever they sit in a clouds.yaml entry or a kubeconfig.
SECRET_KEYS = frozenset(("password", "token", "secret", "application_credential_secret", "api_key", "api-key",
                         "client-key-data", "client-secret", "id-token", "refresh-token", "access-token"))
TLS_HINT = ("TLS verification failed: %s. Give ca_cert (the CA that signed the API's certificate), or set "
            "validate_certs: false only for a test endpoint you trust")


class VmopsModule(AnsibleModule):
    """AnsibleModule with `CONNECTION_ARGUMENT_SPEC` merged in (the module's own options win)."""

    CONNECTION_ARGUMENT_SPEC = {}
    # Options of type raw that may carry credentials inside (a cloud dict, a kubeconfig dict):
    # Ansible cannot mark part of such a value no_log, so its secrets are masked one by one.
    SECRET_CARRYING_OPTIONS = ()

    def __init__(self, argument_spec, **kwargs):
        spec = dict(self.CONNECTION_ARGUMENT_SPEC)
        spec.update(argument_spec)
        super().__init__(argument_spec=spec, **kwargs)
        for name in self.SECRET_CARRYING_OPTIONS:
            self.no_log_values.update(secret_values(self.params.get(name)))

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


def secret_values(data):
    """Every non-empty string under a key of SECRET_KEYS, anywhere in nested dicts and lists."""
    found = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if key in SECRET_KEYS and isinstance(value, str) and value:
                found.add(value)
            else:
                found |= secret_values(value)
    elif isinstance(data, list):
        for item in data:
            found |= secret_values(item)
    return found


def tls_failure(error):
    """The words of the TLS error behind `error` (a certificate not verified, a failed handshake), or None.

    Client libraries wrap it a few levels deep: in the exception chain or in urllib3's `reason`.
    """
    seen = set()
    while isinstance(error, BaseException) and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, ssl.SSLError) or type(error).__name__ == "SSLError":
            return str(error)
        error = error.__cause__ or error.__context__ or getattr(error, "reason", None)
    return None
