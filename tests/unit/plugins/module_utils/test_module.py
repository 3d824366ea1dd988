"""The module wrappers' shared helpers: secrets inside raw connection options, TLS errors behind wrappers."""
import ssl

import pytest

from ansible_collections.vmops.migration.plugins.module_utils.module import secret_values, tls_failure

KUBECONFIG = {
    "apiVersion": "v1", "kind": "Config", "current-context": "admin",
    "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443"}}],
    "users": [{"name": "admin", "user": {"token": "tok-1"}},
              {"name": "cert", "user": {"client-key-data": "a2V5", "client-certificate-data": "Y2VydA=="}},
              {"name": "oidc", "user": {"auth-provider": {"config": {"id-token": "id-1", "refresh-token": "re-1"}}}}],
}
CLOUD = {"auth": {"auth_url": "https://keystone:5000/v3", "username": "admin", "password": "pw-1",
                  "application_credential_secret": "ac-1"}, "region_name": "RegionOne"}


@pytest.mark.parametrize("data, secrets", [
    (KUBECONFIG, {"tok-1", "a2V5", "id-1", "re-1"}),
    (CLOUD, {"pw-1", "ac-1"}),
    ("/home/me/.kube/config", set()),
    ({"auth": {"password": ""}}, set()),
    (None, set()),
], ids=["kubeconfig", "cloud", "a path", "empty", "none"])
def test_secret_values_are_the_credentials_and_nothing_else(data, secrets):
    assert secret_values(data) == secrets


class WrappedTwice(Exception):
    """Like urllib3's MaxRetryError: the cause sits in `reason`."""

    def __init__(self, reason):
        super().__init__("max retries")
        self.reason = reason


def _raised_from(cause):
    try:
        try:
            raise cause
        except Exception as inner:
            raise RuntimeError("discovery failed") from inner
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize("error, found", [
    (_raised_from(WrappedTwice(ssl.SSLCertVerificationError(1, "certificate verify failed"))), "certificate verify failed"),
    (WrappedTwice("a reason that is only words"), None),
    (_raised_from(ConnectionRefusedError("refused")), None),
], ids=["behind a cause and a reason", "reason is text", "not TLS"])
def test_tls_failure_finds_the_tls_error_behind_wrappers(error, found):
    words = tls_failure(error)
    assert (words is None) if found is None else (found in words)
