"""A minimal OpenAPI v3 so kubectl create/apply can tell the server validates fields itself.

kubectl looks up the kind's POST/PUT/PATCH operations and, when they accept the
``fieldValidation`` query parameter, leaves validation to the server instead of downloading a
full schema. The schemas here only name the kinds; they describe no fields.
"""
from . import resources

FIELD_VALIDATION = {"name": "fieldValidation", "in": "query", "schema": {"type": "string"},
                    "uniqueItems": True}


def _gv_path(res):
    return f"api/{res.version}" if not res.group else f"apis/{res.group}/{res.version}"


def index():
    paths = {_gv_path(r): {"serverRelativeURL": f"/openapi/v3/{_gv_path(r)}?hash=twin"}
             for r in resources.RESOURCES}
    return {"paths": paths}


def _schema_name(res):
    return f"{res.group or 'core'}.{res.version}.{res.kind}"


def _operations(res, gvk):
    ref = {"$ref": f"#/components/schemas/{_schema_name(res)}"}
    body = {"content": {"application/json": {"schema": ref}}}
    op = {"parameters": [FIELD_VALIDATION], "requestBody": body,
          "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}}},
          "x-kubernetes-group-version-kind": gvk}
    return op


def group_version(path):
    members = [r for r in resources.RESOURCES if _gv_path(r) == path]
    if not members:
        return None
    paths, schemas = {}, {}
    for res in members:
        gvk = {"group": res.group, "version": res.version, "kind": res.kind}
        schemas[_schema_name(res)] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                                      "x-kubernetes-group-version-kind": [gvk]}
        base = f"/{path}/namespaces/{{namespace}}/{res.plural}" if res.namespaced \
            else f"/{path}/{res.plural}"
        paths[base] = {"post": _operations(res, gvk)}
        paths[base + "/{name}"] = {"put": _operations(res, gvk), "patch": _operations(res, gvk)}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes (vmops twin)", "version": "v1.31.0"},
            "paths": paths, "components": {"schemas": schemas}}
