# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Raw JSON calls on an openstacksdk service proxy, at an explicit microversion.

The facts and service modules read Nova's own documented JSON rather than openstacksdk's
resource objects: openstacksdk picks the highest microversion it knows per resource, and some
fields we need disappear at high microversions (hypervisor `cpu_info`, `vcpus`, `memory_mb`
and `local_gb` are gone from 2.88 on). Pinning the microversion per call keeps the shape stable.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlparse

from ansible_collections.vmops.migration.plugins.module_utils import openstack as nova_module
from ansible_collections.vmops.migration.plugins.module_utils.retry import retry_read


def _checked(response):
    # Imported through the module wrapper, which reports a missing openstacksdk itself.
    nova_module.sdk_exceptions.raise_from_response(response)
    return response.json() if response.content else {}


def get_json(proxy, path, microversion=None, params=None, sleep=time.sleep):
    """A GET's JSON, asked again with backoff on 5xx answers and connection errors (a GET is idempotent)."""
    return retry_read(lambda: _checked(proxy.get(path, microversion=microversion, params=params)),
                      nova_module.is_transient, sleep)


def put_json(proxy, path, body, microversion=None):
    return _checked(proxy.put(path, json=body, microversion=microversion))


def get_all(proxy, path, key, microversion=None, params=None, max_items=None):
    """Every item of a paginated list (`key`), following the `<key>_links` next link's query.

    Only the query of the next link is used, so a wrong host name in the link (a common
    proxy misconfiguration) does not matter. Stops after `max_items` when it is given.
    """
    params = dict(params or {})
    items = []
    while True:
        body = get_json(proxy, path, microversion, params)
        items.extend(body.get(key, []))
        if max_items is not None and len(items) >= max_items:
            return items[:max_items]
        next_query = next_page_query(body.get(key + "_links", []))
        if next_query is None or next_query.get("marker") == params.get("marker"):
            return items
        params.update(next_query)


def next_page_query(links):
    """The query parameters of the `next` link, or None on the last page."""
    for link in links:
        if link.get("rel") == "next" and link.get("href"):
            return dict(parse_qsl(urlparse(link["href"]).query))
    return None
