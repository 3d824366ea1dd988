"""The object store: every object, one global resourceVersion counter, and a bounded event log.

All writes go through here under one lock, so resourceVersions are totally ordered and a watch
can resume from any version still in the log (older ones answer 410 Gone).
"""
import bisect
import copy
import secrets
import threading
import uuid

from . import errors

# Kubernetes' generateName suffix alphabet: no vowels, no easily confused digits.
_SUFFIX = "bcdfghjklmnpqrstvwxz2456789"


class Event:
    __slots__ = ("rv", "type", "key", "obj", "prev")

    def __init__(self, rv, type_, key, obj, prev):
        self.rv, self.type, self.key, self.obj, self.prev = rv, type_, key, obj, prev


class Store:
    def __init__(self, clock, history=2000):
        self.clock = clock
        self.changed = threading.Condition()
        self._objects = {}          # (group, plural) -> {(namespace, name): object}
        self._events = []           # Event, ascending rv
        self._history = history
        self._rv = 0
        self.horizon = 0            # watches from a version older than this get 410

    # --- reads -------------------------------------------------------------------------
    @property
    def resource_version(self):
        return str(self._rv)

    def get(self, res, namespace, name):
        with self.changed:
            obj = self._objects.get(res.key, {}).get((namespace or "", name))
            if obj is None:
                raise errors.not_found(res, name)
            return copy.deepcopy(obj)

    def list(self, res, namespace=None, match=None):
        with self.changed:
            items = [copy.deepcopy(o) for (ns, _), o in sorted(self._objects.get(res.key, {}).items())
                     if (not namespace or ns == namespace) and (match is None or match(o))]
            return items, str(self._rv)

    def events_after(self, rv):
        """Events newer than rv; caller holds ``changed``. None when rv is older than the log."""
        if rv < self.horizon:
            return None
        start = bisect.bisect_right(self._events, rv, key=lambda e: e.rv)
        return self._events[start:]

    # --- writes ------------------------------------------------------------------------
    def create(self, res, obj, namespace=None):
        with self.changed:
            meta = obj.setdefault("metadata", {})
            ns = (namespace or meta.get("namespace") or "") if res.namespaced else ""
            if ns and ("", "namespaces") != res.key and \
                    ("", ns) not in self._objects.get(("", "namespaces"), {}):
                raise errors.ApiError(404, f'namespaces "{ns}" not found')
            if not meta.get("name"):
                if not meta.get("generateName"):
                    raise errors.ApiError(422, f"{res.kind}.{res.group or 'core'} is invalid: "
                                               "metadata.name: Required value: name or "
                                               "generateName is required")
                meta["name"] = meta["generateName"] + "".join(secrets.choice(_SUFFIX) for _ in range(5))
            bucket = self._objects.setdefault(res.key, {})
            if (ns, meta["name"]) in bucket:
                raise errors.already_exists(res, meta["name"])
            obj["apiVersion"], obj["kind"] = res.api_version, res.kind
            if ns:
                meta["namespace"] = ns
            else:
                meta.pop("namespace", None)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = self.clock.stamp()
            meta["generation"] = 1
            for transient in ("deletionTimestamp", "deletionGracePeriodSeconds"):
                meta.pop(transient, None)
            bucket[(ns, meta["name"])] = obj
            return self._emit("ADDED", res, obj, None)

    def update(self, res, obj, subresource=None, check_version=True):
        """Replace an object (PUT semantics); ``subresource='status'`` changes only status."""
        with self.changed:
            meta = obj.get("metadata") or {}
            ns = (meta.get("namespace") or "") if res.namespaced else ""
            name = meta.get("name", "")
            old = self._objects.get(res.key, {}).get((ns, name))
            if old is None:
                raise errors.not_found(res, name)
            wanted = meta.get("resourceVersion")
            if check_version and wanted and wanted != old["metadata"]["resourceVersion"]:
                raise errors.conflict(res, name)
            new = self._merge_parts(res, old, copy.deepcopy(obj), subresource)
            if new == old:
                return copy.deepcopy(old)
            deleting = bool(new["metadata"].get("deletionTimestamp"))
            if deleting and set(new["metadata"].get("finalizers") or []) - \
                    set(old["metadata"].get("finalizers") or []):
                raise errors.ApiError(422, f'{res.kind} "{name}" is invalid: metadata.finalizers: '
                                           "Forbidden: no new finalizers can be added if the "
                                           "object is being deleted")
            if deleting and not new["metadata"].get("finalizers"):
                return self._remove(res, ns, name, new)
            self._objects[res.key][(ns, name)] = new
            return self._emit("MODIFIED", res, new, old)

    def delete(self, res, namespace, name, precondition_uid=None, precondition_rv=None):
        with self.changed:
            ns = (namespace or "") if res.namespaced else ""
            old = self._objects.get(res.key, {}).get((ns, name))
            if old is None:
                raise errors.not_found(res, name)
            meta = old["metadata"]
            if (precondition_uid and precondition_uid != meta["uid"]) or \
                    (precondition_rv and precondition_rv != meta["resourceVersion"]):
                raise errors.conflict(res, name)
            if meta.get("finalizers"):
                if meta.get("deletionTimestamp"):
                    return copy.deepcopy(old)
                new = copy.deepcopy(old)
                new["metadata"]["deletionTimestamp"] = self.clock.stamp()
                new["metadata"]["deletionGracePeriodSeconds"] = 0
                self._objects[res.key][(ns, name)] = new
                return self._emit("MODIFIED", res, new, old)
            return self._remove(res, ns, name, old)

    def mutate(self, res, namespace, name, change):
        """Read-modify-write under the lock, for the twin's own controllers (no conflicts)."""
        with self.changed:
            obj = self.get(res, namespace, name)
            change(obj)
            return self.update(res, obj, check_version=False, subresource="all")

    def reset(self, objects):
        """Replace everything; watches older than now end with 410 so clients relist."""
        with self.changed:
            self._objects.clear()
            self._events.clear()
            self._rv += 1
            self.horizon = self._rv
            for res, obj in objects:
                self.create(res, obj)
            self.changed.notify_all()

    # --- internals ---------------------------------------------------------------------
    @staticmethod
    def _merge_parts(res, old, new, subresource):
        keep = ("uid", "creationTimestamp", "namespace", "name", "deletionTimestamp",
                "deletionGracePeriodSeconds", "generation", "resourceVersion")
        has_status = "status" in res.subresources
        if subresource == "status":
            merged = copy.deepcopy(old)
            if "status" in new:
                merged["status"] = new["status"]
            else:
                merged.pop("status", None)
            return merged
        if has_status and subresource != "all":
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
            else:
                new.pop("status", None)
        meta = new.setdefault("metadata", {})
        for k in keep:
            if k in old["metadata"]:
                meta[k] = old["metadata"][k]
            else:
                meta.pop(k, None)
        new["apiVersion"], new["kind"] = old["apiVersion"], old["kind"]
        body = {k: v for k, v in new.items() if k not in ("metadata", "status")}
        if body != {k: v for k, v in old.items() if k not in ("metadata", "status")}:
            meta["generation"] = old["metadata"].get("generation", 1) + 1
        return new

    def _remove(self, res, ns, name, last):
        del self._objects[res.key][(ns, name)]
        return self._emit("DELETED", res, last, None)

    def _emit(self, type_, res, obj, prev):
        self._rv += 1
        obj["metadata"]["resourceVersion"] = str(self._rv)
        self._events.append(Event(self._rv, type_, res.key, copy.deepcopy(obj),
                                  copy.deepcopy(prev) if prev is not None else None))
        if len(self._events) > self._history:
            dropped = self._events[: len(self._events) - self._history]
            del self._events[: len(dropped)]
            self.horizon = dropped[-1].rv
        self.changed.notify_all()
        return copy.deepcopy(obj)
