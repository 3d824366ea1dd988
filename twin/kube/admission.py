"""Admission: KubeVirt's migration webhooks, defaults on create, and the virtual subresources.

Messages follow KubeVirt v1.6.6's migration admitters (see ../shared/kubevirt/facts.md) so the
collection's error classification meets the same text it will meet on a real cluster.
"""
from . import eviction, kubevirt
from .errors import ApiError


def _denied(webhook, message, code=400):
    return ApiError(code, f'admission webhook "{webhook}" denied the request: {message}')


class Admission:
    def __init__(self, store, authorizer):
        self.store = store
        self.authorizer = authorizer

    def virtual(self, target, body, user):
        """Answer requests that store nothing themselves; None for ordinary ones."""
        if target.res.plural == "selfsubjectaccessreviews":
            return 201, self.authorizer.review(user, dict(body or {}))
        if target.subresource == "eviction":
            return eviction.evict(self.store, target.namespace, target.name)
        return None

    def on_create(self, target, obj, user):
        if "status" in target.res.subresources:
            obj.pop("status", None)  # status is written through /status only
        if target.res is kubevirt.NAMESPACE:
            obj["status"] = {"phase": "Active"}
        if target.res is kubevirt.VMIM:
            self._validate_migration(target.namespace, kubevirt.mark_migration(obj))
        return obj

    def on_update(self, target, new, old, user):
        if target.res is kubevirt.VMIM and target.subresource != "status":
            self._validate_migration_update(new, old)
        return new

    def _validate_migration(self, namespace, vmim):
        name = (vmim.get("spec") or {}).get("vmiName") or ""
        if not name:
            raise ApiError(422, f'admission webhook "{kubevirt.CREATE_WEBHOOK}" denied the '
                                "request: spec.vmiName in body is required",
                           details={"causes": [{"reason": "FieldValueRequired",
                                                "message": "vmiName is missing",
                                                "field": "spec.vmiName"}]})
        try:
            vmi = self.store.get(kubevirt.VMI, namespace, name)
        except ApiError:
            raise _denied(kubevirt.CREATE_WEBHOOK,
                          f'the VMI "{namespace}/{name}" does not exist') from None
        if (vmi.get("status") or {}).get("phase") in kubevirt.FINAL:
            raise _denied(kubevirt.CREATE_WEBHOOK, "Cannot migrate VMI in finalized state.")
        blocked = kubevirt.not_migratable(vmi)
        if blocked:
            raise _denied(kubevirt.CREATE_WEBHOOK,
                          f"Cannot migrate VMI, Reason: {blocked.get('reason')}, "
                          f"Message: {blocked.get('message')}")
        for active in kubevirt.in_flight(self.store, namespace, name):
            raise _denied(kubevirt.CREATE_WEBHOOK,
                          f"in-flight migration detected. Active migration job "
                          f"({active['metadata']['uid']}) is currently already in progress "
                          f"for VMI {name}.")

    @staticmethod
    def _validate_migration_update(new, old):
        if new.get("spec") != old.get("spec"):
            raise _denied(kubevirt.UPDATE_WEBHOOK,
                          "update of Migration object's spec is restricted")
        if (old.get("status") or {}).get("phase") in kubevirt.FINAL:
            return
        was = (old["metadata"].get("labels") or {}).get(kubevirt.VMI_NAME_LABEL)
        now = (new["metadata"].get("labels") or {}).get(kubevirt.VMI_NAME_LABEL)
        if was is not None and now is None:
            raise _denied(kubevirt.UPDATE_WEBHOOK,
                          "selector label can't be removed from an in-flight migration", 422)
        if was != now:
            raise _denied(kubevirt.UPDATE_WEBHOOK,
                          "selector label can't be modified on an in-flight migration", 422)
