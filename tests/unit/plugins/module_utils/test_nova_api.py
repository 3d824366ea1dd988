"""Raw JSON reads retry 5xx answers and connection errors with backoff and give up on anything else."""

import pytest
import requests
from keystoneauth1 import exceptions as ksa_exceptions
from openstack import exceptions as sdk_exceptions

from ansible_collections.vmops.migration.plugins.module_utils import nova_api
from ansible_collections.vmops.migration.plugins.module_utils.openstack import discover_compute, is_transient


def response(status, body=b'{"ok": true}'):
    answer = requests.Response()
    answer.status_code, answer._content, answer.url = status, body, "http://127.0.0.1/v2.1/x"
    answer.headers["Content-Type"] = "application/json"
    return answer


class Proxy:
    """Answers GETs from a script: a status code, or an exception to raise."""

    def __init__(self, *script):
        self.script = list(script)
        self.calls = 0

    def get(self, path, microversion=None, params=None):
        self.calls += 1
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return response(step)


@pytest.mark.parametrize("script, calls, sleeps", [
    ([200], 1, []),
    ([503, 502, 200], 3, [0.5, 1.0]),
    ([ksa_exceptions.ConnectFailure("refused"), 200], 2, [0.5]),
])
def test_a_read_is_asked_again_after_transient_errors(script, calls, sleeps):
    proxy, slept = Proxy(*script), []
    assert nova_api.get_json(proxy, "/x", sleep=slept.append) == {"ok": True}
    assert proxy.calls == calls and slept == sleeps


@pytest.mark.parametrize("script, calls", [
    ([404], 1),  # not transient: at once
    ([503] * 5, 5),  # transient but it never recovers: the last error after four retries
])
def test_a_read_gives_up_with_the_error(script, calls):
    proxy = Proxy(*script)
    with pytest.raises(sdk_exceptions.HttpException):
        nova_api.get_json(proxy, "/x", sleep=lambda seconds: None)
    assert proxy.calls == calls


@pytest.mark.parametrize("error, transient", [
    (sdk_exceptions.HttpException("x", response=response(500)), True),
    (sdk_exceptions.HttpException("x", response=response(409)), False),
    (ksa_exceptions.ConnectTimeout("slow"), True),
    (ksa_exceptions.DiscoveryFailure("no version document"), False),
    (ValueError("bug"), False),
])
def test_is_transient(error, transient):
    assert is_transient(error) is transient


class Conn:
    """openstacksdk reads the version document when `conn.compute` is first reached, as this does."""

    def __init__(self, *script):
        self.script = list(script)

    @property
    def compute(self):
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return self

    def get_endpoint_data(self):
        return "endpoint"


def test_the_compute_version_document_is_read_again_after_a_failed_discovery():
    conn, slept = Conn(ksa_exceptions.DiscoveryFailure("503"), "proxy"), []
    discover_compute(conn, sleep=slept.append)
    assert slept == [0.5] and not conn.script
