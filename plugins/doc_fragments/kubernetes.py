# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  kubeconfig:
    description:
      - Path to a kubeconfig file, or a dict with the content of one.
      - When omitted (and O(host) is not given), C(KUBECONFIG) or C(~/.kube/config) is used, else the
        service account of the pod the module runs in.
      - Also read from the E(K8S_AUTH_KUBECONFIG) environment variable.
    type: raw
  context:
    description: The kubeconfig context to use (default its current context). Also E(K8S_AUTH_CONTEXT).
    type: str
  host:
    description: URL of the API server, for example C(https://api.ocp.example.com:6443). Also E(K8S_AUTH_HOST).
    type: str
  api_key:
    description: Bearer token; never logged. Also E(K8S_AUTH_API_KEY).
    type: str
  username:
    description: User name for HTTP basic authentication. Also E(K8S_AUTH_USERNAME).
    type: str
  password:
    description: Password for O(username); never logged. Also E(K8S_AUTH_PASSWORD).
    type: str
  validate_certs:
    description:
      - Verify the API server's TLS certificate. When not set, the kubeconfig's setting is used, and
        verification is on when that is not set either. Also E(K8S_AUTH_VERIFY_SSL).
    type: bool
    aliases: [verify_ssl]
  ca_cert:
    description: CA bundle that signs the API server's certificate. Also E(K8S_AUTH_SSL_CA_CERT).
    type: path
    aliases: [ssl_ca_cert]
  client_cert:
    description: Client certificate for TLS client authentication. Also E(K8S_AUTH_CERT_FILE).
    type: path
    aliases: [cert_file]
  client_key:
    description: Key of O(client_cert). Also E(K8S_AUTH_KEY_FILE).
    type: path
    aliases: [key_file]
  proxy:
    description: HTTP proxy URL to reach the API server through. Also E(K8S_AUTH_PROXY).
    type: str
  wait:
    description: Wait for the operation to finish.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the whole operation when O(wait=true).
    type: int
    default: 3600
requirements:
  - python >= 3.9
  - kubernetes >= 24.2.0
notes:
  - The connection options and their E(K8S_AUTH_*) environment variables follow the conventions of the
    kubernetes.core collection; explicit options override what the kubeconfig says.
  - Reads are retried with backoff on HTTP 429, 5xx and connection errors; writes are never sent twice blindly.
"""
