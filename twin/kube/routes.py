"""Turns a request path + method into what it addresses: resource, namespace, name, verb."""
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from . import resources
from .errors import ApiError


@dataclass
class Target:
    res: resources.Resource
    namespace: str
    name: str
    subresource: str
    verb: str
    query: dict

    @property
    def rbac_resource(self):
        return f"{self.res.plural}/{self.subresource}" if self.subresource else self.res.plural

    def param(self, key, default=None):
        return self.query.get(key, [default])[-1]

    @property
    def watching(self):
        return self.param("watch", "") in ("1", "true", "True")


def _verb(method, name, watching):
    if method == "GET":
        return "get" if name else ("watch" if watching else "list")
    if method == "DELETE":
        return "delete" if name else "deletecollection"
    return {"POST": "create", "PUT": "update", "PATCH": "patch"}.get(method)


def resolve(method, raw_path):
    """Return a Target, or None when the path is not a resource path (discovery etc.)."""
    url = urlsplit(raw_path)
    parts = [p for p in url.path.split("/") if p]
    if len(parts) >= 3 and parts[0] == "api":
        group, version, rest = "", parts[1], parts[2:]
    elif len(parts) >= 4 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    namespace = ""
    if len(rest) >= 3 and rest[0] == "namespaces" and (group, version, rest[2]) in resources.BY_PATH:
        namespace, rest = rest[1], rest[2:]
    res = resources.BY_PATH.get((group, version, rest[0]))
    if res is None or len(rest) > 3:
        raise ApiError(404, "the server could not find the requested resource")
    name = rest[1] if len(rest) > 1 else ""
    sub = rest[2] if len(rest) > 2 else ""
    if sub and sub not in res.subresources:
        raise ApiError(404, "the server could not find the requested resource")
    query = parse_qs(url.query)
    watching = query.get("watch", [""])[-1] in ("1", "true", "True")
    verb = _verb(method, name, watching)
    if verb is None:
        raise ApiError(405, f"method {method} is not supported")
    if res.namespaced and not namespace and verb not in ("list", "watch"):
        raise ApiError(404, "the server could not find the requested resource")
    return Target(res, namespace, name, sub, verb, query)
