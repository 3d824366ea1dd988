# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module wrapper for KubeVirt modules: kubernetes.core's connection options (and their
K8S_AUTH_* environment variables), one kubernetes ApiClient, reads retried with backoff, and
API errors turned into our typed errors and clear failures.

Only this file and the KubeVirt adapter import the kubernetes client.
"""

from __future__ import annotations

import base64
import json
import os
import time
import traceback

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.vmops.migration.plugins.module_utils.errors import (
    AnswerLost, ApiRefused, InputError, NotAuthorized,
)
from ansible_collections.vmops.migration.plugins.module_utils.module import TLS_HINT, VmopsModule, tls_failure
from ansible_collections.vmops.migration.plugins.module_utils.retry import retry_read

try:
    import urllib3
    from kubernetes import client, config
    from kubernetes.client.rest import ApiException
    from kubernetes.config.config_exception import ConfigException
except ImportError:
    client = None
    KUBERNETES_IMPORT_ERROR = traceback.format_exc()
else:
    KUBERNETES_IMPORT_ERROR = None


def _env(*names):
    return (env_fallback, list(names))


CONNECTION_ARGUMENT_SPEC = {
    "kubeconfig": {"type": "raw", "fallback": _env("K8S_AUTH_KUBECONFIG")},
    "context": {"type": "str", "fallback": _env("K8S_AUTH_CONTEXT")},
    "host": {"type": "str", "fallback": _env("K8S_AUTH_HOST")},
    "api_key": {"type": "str", "no_log": True, "fallback": _env("K8S_AUTH_API_KEY")},
    "username": {"type": "str", "fallback": _env("K8S_AUTH_USERNAME")},
    "password": {"type": "str", "no_log": True, "fallback": _env("K8S_AUTH_PASSWORD")},
    "validate_certs": {"type": "bool", "aliases": ["verify_ssl"], "fallback": _env("K8S_AUTH_VERIFY_SSL")},
    "ca_cert": {"type": "path", "aliases": ["ssl_ca_cert"], "fallback": _env("K8S_AUTH_SSL_CA_CERT")},
    "client_cert": {"type": "path", "aliases": ["cert_file"], "fallback": _env("K8S_AUTH_CERT_FILE")},
    "client_key": {"type": "path", "aliases": ["key_file"], "no_log": False, "fallback": _env("K8S_AUTH_KEY_FILE")},
    "proxy": {"type": "str", "fallback": _env("K8S_AUTH_PROXY")},
    "wait": {"type": "bool", "default": True},
    "wait_timeout": {"type": "int", "default": 3600},
}

# Statuses worth asking again: throttled, or the server (or a proxy) failed for now.
TRANSIENT_STATUSES = (429, 500, 502, 503, 504)
MERGE_PATCH = "application/merge-patch+json"


class KubeModule(VmopsModule):
    """VmopsModule with the Kubernetes connection options and a lazily built `KubeApi`."""

    CONNECTION_ARGUMENT_SPEC = CONNECTION_ARGUMENT_SPEC
    SECRET_CARRYING_OPTIONS = ("kubeconfig",)

    def __init__(self, argument_spec, **kwargs):
        super().__init__(argument_spec, **kwargs)
        if client is None:
            self.fail_json(msg=missing_required_lib("kubernetes"), exception=KUBERNETES_IMPORT_ERROR)
        if self.params["wait_timeout"] <= 0:
            self.fail_json(msg="wait_timeout: must be a positive number of seconds, got %s" % self.params["wait_timeout"])
        self._api = None

    @property
    def api(self):
        if self._api is None:
            self._api = KubeApi(api_client(self.params))
        return self._api

    def library_errors(self):
        return (ApiException, urllib3.exceptions.HTTPError)

    def describe_library_error(self, error):
        if isinstance(error, ApiException):
            return {"msg": str(translate(error, "Kubernetes API call")), "status": error.status}
        return {"msg": str(_unreachable(error, "Kubernetes API call"))}


def api_client(params):
    """A kubernetes ApiClient from the connection options: the kubeconfig (file, dict or the
    default one) or in-cluster config first, then the explicit options on top."""
    configuration = client.Configuration()
    kubeconfig, context = params.get("kubeconfig"), params.get("context")
    try:
        if isinstance(kubeconfig, dict):
            config.load_kube_config_from_dict(kubeconfig, context=context, client_configuration=configuration,
                                              persist_config=False)
        elif kubeconfig is not None:
            if not isinstance(kubeconfig, str):
                raise InputError("kubeconfig", "must be a path or a dict, got %s" % type(kubeconfig).__name__)
            config.load_kube_config(os.path.expanduser(kubeconfig), context=context,
                                    client_configuration=configuration, persist_config=False)
        elif not params.get("host"):
            _load_default(configuration, context)
    except ConfigException as error:
        raise InputError("kubeconfig", "cannot load the Kubernetes configuration: %s" % error) from error
    _apply_options(configuration, params)
    if not configuration.host or configuration.host == "http://localhost":
        raise InputError("host", "no API server: give host or kubeconfig (or K8S_AUTH_HOST / K8S_AUTH_KUBECONFIG)")
    return client.ApiClient(configuration)


def _load_default(configuration, context):
    """~/.kube/config (or KUBECONFIG) when it exists, else the pod's service account."""
    default = os.path.expanduser(os.environ.get("KUBECONFIG", "").split(os.pathsep)[0] or "~/.kube/config")
    if os.path.exists(default):
        config.load_kube_config(default, context=context, client_configuration=configuration, persist_config=False)
    else:
        config.load_incluster_config(client_configuration=configuration)


def _apply_options(configuration, params):
    if params.get("host"):
        configuration.host = params["host"]
    if params.get("api_key"):
        _replace_credentials(configuration, "Bearer " + params["api_key"])
    elif params.get("username"):
        pair = "%s:%s" % (params["username"], params.get("password") or "")
        _replace_credentials(configuration, "Basic " + base64.b64encode(pair.encode()).decode())
    if params.get("validate_certs") is not None:
        configuration.verify_ssl = params["validate_certs"]
    for option, attribute in (("ca_cert", "ssl_ca_cert"), ("client_cert", "cert_file"), ("client_key", "key_file"),
                              ("proxy", "proxy")):
        if params.get(option):
            setattr(configuration, attribute, params[option])


def _replace_credentials(configuration, authorization):
    configuration.api_key = {"authorization": authorization}
    configuration.api_key_prefix = {}
    # The kubeconfig loader puts its own token back before each request unless its hook goes.
    configuration.refresh_api_key_hook = None


def api_message(error):
    """The API's own words from an ApiException (its Status message), else the HTTP reason."""
    try:
        body = json.loads(error.body or "{}")
    except (TypeError, ValueError):
        body = {}
    return (body.get("message") if isinstance(body, dict) else None) or error.reason or "no message"


def translate(error, action):
    """Our typed error for an ApiException raised while doing `action` (a few words)."""
    status, message = error.status, api_message(error)
    if status == 401:
        return NotAuthorized(status, "%s: the API server did not accept the credentials (HTTP 401): %s. Check "
                                     "api_key/kubeconfig/context." % (action, message))
    if status == 403:
        return NotAuthorized(status, "%s: forbidden (HTTP 403): %s" % (action, message))
    if status == 404:
        return ApiRefused(status, "%s: not found (HTTP 404): %s" % (action, message))
    if status == 409:
        return ApiRefused(status, "%s: conflict, the object changed or exists (HTTP 409): %s" % (action, message))
    if status == 422:
        return ApiRefused(status, "%s: invalid (HTTP 422): %s" % (action, message))
    if status == 429:
        return ApiRefused(status, "%s: throttled by the API server (HTTP 429), try again later: %s" % (action, message))
    if status and status >= 500:
        return ApiRefused(status, "%s: API server error (HTTP %s): %s" % (action, status, message))
    return ApiRefused(status, "%s: refused (HTTP %s): %s" % (action, status, message))


def _is_transient(error):
    if isinstance(error, ApiException):
        return error.status in TRANSIENT_STATUSES or not error.status
    # A certificate that was not accepted will not be accepted on the next try either.
    return isinstance(error, urllib3.exceptions.HTTPError) and tls_failure(error) is None


class KubeApi:
    """One ApiClient and its typed APIs; `read` retries, `write` never does (a write whose answer
    was lost raises AnswerLost so the caller looks before sending it again)."""

    def __init__(self, api_client_, sleep=time.sleep):
        self.client = api_client_
        self.core = client.CoreV1Api(api_client_)
        self.custom = client.CustomObjectsApi(api_client_)
        self.authorization = client.AuthorizationV1Api(api_client_)
        self.sleep = sleep

    def read(self, action, call, missing_ok=False):
        """`call()` retried with backoff on 429, 5xx and connection errors; None on 404 when `missing_ok`."""
        try:
            return retry_read(call, _is_transient, self.sleep)
        except (ApiException, urllib3.exceptions.HTTPError) as error:
            if isinstance(error, ApiException) and error.status == 404 and missing_ok:
                return None
            raise _typed(error, action) from error

    def write(self, action, call, missing_ok=False):
        """`call()` once; None on 404 when `missing_ok` (e.g. deleting what is already gone)."""
        try:
            return call()
        except ApiException as error:
            if error.status == 404 and missing_ok:
                return None
            if not error.status or error.status >= 500:
                raise AnswerLost("%s: no usable answer (HTTP %s): %s" % (action, error.status, api_message(error))) \
                    from error
            raise translate(error, action) from error
        except urllib3.exceptions.HTTPError as error:
            raise AnswerLost("%s: no answer: %s" % (action, error)) from error


def _typed(error, action):
    if isinstance(error, ApiException):
        return translate(error, action)
    return _unreachable(error, action)


def _unreachable(error, action):
    """ApiRefused for a connection error: a TLS failure says how to fix it."""
    tls = tls_failure(error)
    if tls:
        return ApiRefused(0, "%s: %s" % (action, TLS_HINT % tls))
    return ApiRefused(0, "%s: cannot reach the Kubernetes API (check host/kubeconfig and the network): %s" % (action, error))
