# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module wrapper for Nova modules: shared connection options, one openstacksdk
connection, microversion checks, and our typed errors turned into clear failures.

Only this file and the Nova adapter import openstacksdk.
"""

from __future__ import annotations

import re
import time
import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError, VmopsError
from ansible_collections.vmops.migration.plugins.module_utils.module import TLS_HINT, VmopsModule, tls_failure
from ansible_collections.vmops.migration.plugins.module_utils.retry import retry_read

try:
    import openstack
    from keystoneauth1 import exceptions as ksa_exceptions
    from openstack import exceptions as sdk_exceptions
    from openstack import utils as sdk_utils
except ImportError:
    openstack = None
    OPENSTACK_IMPORT_ERROR = traceback.format_exc()
else:
    OPENSTACK_IMPORT_ERROR = None

CONNECTION_ARGUMENT_SPEC = {
    "cloud": {"type": "raw"},
    "auth": {"type": "dict", "no_log": True},
    "auth_type": {"type": "str"},
    "region_name": {"type": "str"},
    "interface": {"type": "str", "choices": ["admin", "internal", "public"], "aliases": ["endpoint_type"]},
    "validate_certs": {"type": "bool", "aliases": ["verify"]},
    "ca_cert": {"type": "path", "aliases": ["cacert"]},
    "client_cert": {"type": "path", "aliases": ["cert"]},
    "client_key": {"type": "path", "aliases": ["key"], "no_log": False},
    "api_timeout": {"type": "int"},
    "wait": {"type": "bool", "default": True},
    "timeout": {"type": "int", "default": 3600},
}
# Option name -> keyword of openstack.connect.
_CONNECT_KEYWORDS = {
    "auth": "auth", "auth_type": "auth_type", "region_name": "region_name", "interface": "interface",
    "validate_certs": "verify", "ca_cert": "cacert", "client_cert": "cert", "client_key": "key",
    "api_timeout": "api_timeout",
}


class NovaModule(VmopsModule):
    """VmopsModule with the OpenStack connection options and a lazily built connection."""

    CONNECTION_ARGUMENT_SPEC = CONNECTION_ARGUMENT_SPEC
    SECRET_CARRYING_OPTIONS = ("cloud",)

    def __init__(self, argument_spec, **kwargs):
        super().__init__(argument_spec, **kwargs)
        if openstack is None:
            self.fail_json(msg=missing_required_lib("openstacksdk"), exception=OPENSTACK_IMPORT_ERROR)
        self._conn = None
        for name in ("timeout", "api_timeout"):
            if self.params.get(name) is not None and self.params[name] <= 0:
                self.fail_json(msg="%s: must be a positive number of seconds, got %s" % (name, self.params[name]))

    @property
    def conn(self):
        if self._conn is None:
            conn = connect(self.params)
            discover_compute(conn)
            self._conn = conn
        return self._conn

    def library_errors(self):
        return (sdk_exceptions.SDKException, ksa_exceptions.ClientException)

    def describe_library_error(self, error):
        tls = tls_failure(error) or self._tls_failure_behind(error)
        if tls:
            return {"msg": TLS_HINT % tls}
        if isinstance(error, sdk_exceptions.SDKException):
            return {"msg": describe_sdk_error(error)}
        if isinstance(error, ksa_exceptions.ConnectFailure):
            return {"msg": "cannot reach the OpenStack API (check cloud/auth.auth_url and the network): %s" % error}
        if getattr(error, "http_status", None) in (401, 403):
            return {"msg": refused_credentials(error.http_status, error)}
        return {"msg": "OpenStack authentication or transport error (check cloud/auth): %s" % error}

    def _tls_failure_behind(self, error):
        """keystoneauth's endpoint discovery swallows the TLS error it met: ask the URL once more to find it."""
        found = re.search(r"https://[^\s,]+", str(error)) if isinstance(error, ksa_exceptions.DiscoveryFailure) else None
        if found is None:
            return None
        try:
            connect(self.params).session.get(found.group(0), authenticated=False, raise_exc=False)
        except ksa_exceptions.SSLError as tls_error:
            return str(tls_error)
        except (ksa_exceptions.ClientException, VmopsError):
            return None
        return None


def connect(params):
    """An openstacksdk Connection from the module's connection options."""
    kwargs = {keyword: params[name] for name, keyword in _CONNECT_KEYWORDS.items() if params.get(name) is not None}
    cloud = params.get("cloud")
    try:
        if isinstance(cloud, dict):
            kwargs = dict(cloud, **kwargs)
            return openstack.connect(**kwargs)
        if cloud is not None and not isinstance(cloud, str):
            raise InputError("cloud", "must be a cloud name or a dict, got %s" % type(cloud).__name__)
        return openstack.connect(cloud=cloud, **kwargs)
    except sdk_exceptions.ConfigException as error:
        raise InputError("cloud", "cannot load the cloud configuration: %s" % error) from error
    except TypeError as error:
        # keystoneauth's plugin for auth_type refuses a key of auth (the cloud's own auth is merged in).
        raise InputError("auth", "does not fit auth_type %s: %s" % (kwargs.get("auth_type") or "of the cloud", error)) from error


def is_transient(error):
    """A 5xx answer or a failed connection: worth asking again when the request is a read."""
    if isinstance(error, sdk_exceptions.HttpException):
        return (getattr(error, "status_code", None) or 0) >= 500
    return isinstance(error, (ksa_exceptions.ConnectionError, ksa_exceptions.RetriableConnectionFailure))


def discover_compute(conn, sleep=time.sleep):
    """Read the compute API's version document now, with the reads' retries.

    openstacksdk reads it on the first compute call and gives up at once on a 5xx answer, which
    would fail a whole run on one unlucky GET; a failed discovery is not cached, so asking again works.
    """
    def read_version_document():
        # Reaching conn.compute already reads the document, so the attribute is looked up in here.
        return conn.compute.get_endpoint_data()

    retry_read(read_version_document, _transient_discovery, sleep)


def _transient_discovery(error):
    # keystoneauth reports a 5xx answer to the version document as DiscoveryFailure without the status.
    return is_transient(error) or isinstance(error, ksa_exceptions.DiscoveryFailure)


def require_microversion(conn, needed, feature):
    """Fail early when the compute API cannot do `feature` (needs microversion `needed`)."""
    endpoint = conn.compute.get_endpoint_data()
    highest = getattr(endpoint, "max_microversion", None)
    if highest is None or not sdk_utils.supports_microversion(conn.compute, needed):
        raise VmopsError("the compute API supports microversions up to %s; %s needs %s" % (highest, feature, needed))


def describe_sdk_error(error):
    """One line for an openstacksdk error: status, what failed, the API's own message."""
    status = getattr(error, "status_code", None)
    details = getattr(error, "details", None) or str(error)
    if isinstance(error, sdk_exceptions.HttpException) and status in (401, 403):
        return refused_credentials(status, details)
    if status:
        return "OpenStack API error (HTTP %s): %s" % (status, details)
    return "OpenStack error: %s" % details


def refused_credentials(status, details):
    return "OpenStack refused the credentials (HTTP %s): %s. Check auth/auth_type/cloud." % (status, details)
