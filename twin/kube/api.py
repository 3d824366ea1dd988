"""The REST verbs on stored resources: get, list, create, update, patch, delete(collection).

Admission (KubeVirt's webhooks and the twin's virtual subresources) is a hook object so this
file knows nothing about KubeVirt.
"""
from . import errors, patch, selectors
from .errors import ApiError


def matcher(target):
    labels = selectors.parse_labels(target.param("labelSelector", ""))
    fields = selectors.parse_fields(target.param("fieldSelector", ""))
    return lambda obj: labels((obj.get("metadata") or {}).get("labels")) and fields(obj)


class Api:
    def __init__(self, store, authorizer, admission):
        self.store = store
        self.authorizer = authorizer
        self.admission = admission

    def handle(self, method, target, body, user, content_type):
        """Return (HTTP code, JSON body) for one authorised, non-watch request."""
        self.authorizer.check(user, target.verb, target.res.group, target.rbac_resource,
                              target.namespace, target.name)
        virtual = self.admission.virtual(target, body, user)
        if virtual is not None:
            return virtual
        if target.verb == "get":
            return 200, self.store.get(target.res, target.namespace, target.name)
        if target.verb == "list":
            return 200, self.list(target)
        if target.verb == "create":
            return 201, self.create(target, body, user)
        if target.verb == "update":
            return 200, self.update(target, body, user)
        if target.verb == "patch":
            return 200, self.patch(target, body, user, content_type)
        if target.verb == "delete":
            return 200, self.delete(target, body)
        return 200, self.delete_collection(target)

    def list(self, target):
        items, rv = self.store.list(target.res, target.namespace, matcher(target))
        return {"kind": target.res.kind + "List", "apiVersion": target.res.api_version,
                "metadata": {"resourceVersion": rv}, "items": items}

    def create(self, target, obj, user):
        if not isinstance(obj, dict):
            raise ApiError(400, "the body of the request must be a JSON object")
        meta = obj.setdefault("metadata", {})
        if target.res.namespaced and meta.get("namespace") not in (None, "", target.namespace):
            raise ApiError(400, "the namespace of the provided object does not match the "
                                "namespace sent on the request")
        meta["namespace"] = target.namespace
        obj = self.admission.on_create(target, obj, user)
        return self.store.create(target.res, obj, target.namespace)

    def update(self, target, obj, user):
        if not isinstance(obj, dict):
            raise ApiError(400, "the body of the request must be a JSON object")
        meta = obj.setdefault("metadata", {})
        if meta.get("name") != target.name:
            raise ApiError(400, "the name of the object does not match the name on the URL")
        meta["namespace"] = target.namespace
        with self.store.changed:  # admission sees the same old object the write replaces
            old = self.store.get(target.res, target.namespace, target.name)
            obj = self.admission.on_update(target, obj, old, user)
            return self.store.update(target.res, obj, subresource=target.subresource or None)

    def patch(self, target, body, user, content_type):
        with self.store.changed:
            old = self.store.get(target.res, target.namespace, target.name)
            new = patch.apply(content_type, old, body)
            # A patch carrying a resourceVersion is a precondition; one without is unconditional.
            wanted = (new.get("metadata") or {}).get("resourceVersion")
            if wanted and wanted != old["metadata"]["resourceVersion"]:
                raise errors.conflict(target.res, target.name)
            return self.update(target, new, user)

    def delete(self, target, options):
        pre = (options or {}).get("preconditions") or {}
        return self.store.delete(target.res, target.namespace, target.name,
                                 pre.get("uid"), pre.get("resourceVersion"))

    def delete_collection(self, target):
        items, _ = self.store.list(target.res, target.namespace, matcher(target))
        deleted = [self.store.delete(target.res, o["metadata"].get("namespace"),
                                     o["metadata"]["name"]) for o in items]
        return {"kind": target.res.kind + "List", "apiVersion": target.res.api_version,
                "metadata": {"resourceVersion": self.store.resource_version}, "items": deleted}
