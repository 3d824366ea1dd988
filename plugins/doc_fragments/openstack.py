# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  cloud:
    description:
      - Named cloud in C(clouds.yaml), or a dict with the same content as one cloud entry.
      - When omitted, C(OS_CLOUD) and the other C(OS_*) environment variables are used, as by the C(openstack) CLI.
    type: raw
  auth:
    description:
      - Authentication parameters (for example C(auth_url), C(username), C(password), C(project_name),
        C(application_credential_id), C(application_credential_secret), C(token)); never logged.
    type: dict
  auth_type:
    description: Keystoneauth plugin name, for example V(password), V(v3applicationcredential) or V(admin_token).
    type: str
  region_name:
    description: Region to use.
    type: str
  interface:
    description: Endpoint interface to use.
    type: str
    choices: [admin, internal, public]
    aliases: [endpoint_type]
  validate_certs:
    description:
      - Verify the TLS certificates of the API endpoints.
      - When not set, the cloud's C(verify) setting is used, and verification is on when that is not set either.
    type: bool
    aliases: [verify]
  ca_cert:
    description: CA bundle that signs the API endpoints' certificates.
    type: path
    aliases: [cacert]
  client_cert:
    description: Client certificate for TLS client authentication.
    type: path
    aliases: [cert]
  client_key:
    description: Key of O(client_cert).
    type: path
    aliases: [key]
  api_timeout:
    description: Seconds to wait for one API call.
    type: int
  wait:
    description: Wait for the operation to finish.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for the whole operation when O(wait=true).
    type: int
    default: 3600
requirements:
  - python >= 3.9
  - openstacksdk >= 4.0.0
notes:
  - The connection options follow the conventions of the openstack.cloud collection.
"""
