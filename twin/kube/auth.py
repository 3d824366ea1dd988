"""Bearer tokens, each with RBAC-style rules, and the SelfSubjectAccessReview answer.

A tokens file maps token -> {"user": name, "rules": [{apiGroups, resources, verbs}]}; resources
name subresources as "pods/eviction". The default set mirrors the roles the collection meets:
cluster-admin, a read-only viewer, and a migrator holding KubeVirt's kubevirt.io:migrate role.
"""
import json
import secrets

from .errors import ApiError

VIEW = {"apiGroups": ["*"], "resources": ["*"], "verbs": ["get", "list", "watch"]}
MIGRATE = [  # kubevirt.io:migrate (facts.md), on top of read access
    {"apiGroups": ["subresources.kubevirt.io"], "resources": ["virtualmachines/migrate"],
     "verbs": ["update"]},
    {"apiGroups": ["kubevirt.io"], "resources": ["virtualmachineinstancemigrations"],
     "verbs": ["get", "delete", "create", "update", "patch", "list", "watch", "deletecollection"]},
]
# Like system:basic-user, every authenticated user may ask what it may do.
SELF_REVIEW = ("create", "authorization.k8s.io", "selfsubjectaccessreviews")
DEFAULT_ROLES = {
    "admin": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],
    "viewer": [VIEW],
    "migrator": [VIEW] + MIGRATE,
}


def default_tokens():
    return {f"{user}-{secrets.token_hex(12)}": {"user": user, "rules": rules}
            for user, rules in DEFAULT_ROLES.items()}


def load(path):
    with open(path) as f:
        return json.load(f)


def save(path, tokens):
    with open(path, "w") as f:
        json.dump(tokens, f, indent=2)


class Authorizer:
    def __init__(self, tokens):
        self.tokens = tokens

    def user(self, header):
        """The token entry for an ``Authorization: Bearer`` header, or 401."""
        if header and header.startswith("Bearer "):
            entry = self.tokens.get(header[len("Bearer "):].strip())
            if entry:
                return entry
        raise ApiError(401, "Unauthorized")

    @staticmethod
    def allows(user, verb, group, resource):
        def hit(values, wanted):
            return "*" in values or wanted in values
        return any(hit(r.get("verbs", []), verb) and hit(r.get("apiGroups", []), group)
                   and hit(r.get("resources", []), resource) for r in user["rules"])

    def check(self, user, verb, group, resource, namespace, name=None):
        if self.allows(user, verb, group, resource) or (verb, group, resource) == SELF_REVIEW:
            return
        base, _, sub = resource.partition("/")
        what = f"{base}.{group}" if group else base
        if name:
            what += f' "{name}"'
        scope = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
        raise ApiError(403, f'{what} is forbidden: User "{user["user"]}" cannot {verb} resource '
                            f'"{resource}" in API group "{group}"{scope}',
                       details={"name": name or "", "group": group, "kind": base})

    def review(self, user, review):
        """Fill in a SelfSubjectAccessReview's status for this user."""
        attrs = (review.get("spec") or {}).get("resourceAttributes") or {}
        resource = attrs.get("resource", "")
        if attrs.get("subresource"):
            resource += "/" + attrs["subresource"]
        allowed = self.allows(user, attrs.get("verb", ""), attrs.get("group", ""), resource)
        review["status"] = {"allowed": allowed}
        if allowed:
            review["status"]["reason"] = f'allowed by the twin role of user "{user["user"]}"'
        return review
