"""Discovery documents (/api, /apis, group versions, /version) built from the resource table."""
from . import resources

VERSION = {
    "major": "1", "minor": "31", "gitVersion": "v1.31.0+vmops-twin", "gitCommit": "twin",
    "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.22.0",
    "compiler": "gc", "platform": "linux/amd64",
}
SUBRESOURCE_VERBS = {"status": ["get", "patch", "update"], "eviction": ["create"]}
SUBRESOURCE_KIND = {"eviction": ("policy", "v1", "Eviction")}


def _entries(res):
    main = {"name": res.plural, "singularName": res.kind.lower(), "namespaced": res.namespaced,
            "kind": res.kind, "verbs": list(res.verbs)}
    if res.short_names:
        main["shortNames"] = list(res.short_names)
    if res.categories:
        main["categories"] = list(res.categories)
    yield main
    for sub in res.subresources:
        entry = {"name": f"{res.plural}/{sub}", "singularName": "", "namespaced": res.namespaced,
                 "kind": res.kind, "verbs": SUBRESOURCE_VERBS[sub]}
        if sub in SUBRESOURCE_KIND:
            entry["group"], entry["version"], entry["kind"] = SUBRESOURCE_KIND[sub]
        yield entry


def resource_list(group, version):
    members = [r for r in resources.RESOURCES if r.group == group and r.version == version]
    if not members:
        return None
    return {"kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": f"{group}/{version}" if group else version,
            "resources": [e for r in members for e in _entries(r)]}


def core_versions():
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                            "serverAddress": "127.0.0.1"}]}


def _group(name, versions):
    listed = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": listed, "preferredVersion": listed[0]}


def group_list():
    return {"kind": "APIGroupList", "apiVersion": "v1",
            "groups": [_group(g, vs) for g, vs in resources.groups().items()]}


def group(name):
    versions = resources.groups().get(name)
    if not versions:
        return None
    return dict(_group(name, versions), kind="APIGroup", apiVersion="v1")
