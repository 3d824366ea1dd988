"""/_twin/...: the twin's own knobs for tests and demos (admin token only).

GET  /_twin/status                 time factor, object counts, progress of running copies
POST /_twin/reset                  reload the fleet (watches older than that get 410)
POST /_twin/time-factor            {"factor": 60}
POST /_twin/dirty-rate             {"namespace": "default", "name": "vm-01-01", "mibps": 300}
POST /_twin/fail-next-migration    {"namespace": "default", "name": "vm-01-01"}
"""
from . import kubevirt, resources
from .errors import ApiError


class Control:
    def __init__(self, twin):
        self.twin = twin

    def handle(self, method, path, body):
        body = body or {}
        action = path[len("/_twin/"):]
        if method == "GET" and action == "status":
            return 200, self.status()
        if method != "POST":
            raise ApiError(405, f"{method} {path} is not supported")
        if action == "reset":
            self.twin.reset()
        elif action == "time-factor":
            self.twin.clock.set_factor(float(body["factor"]))
        elif action == "dirty-rate":
            self.twin.store.mutate(kubevirt.VMI, body["namespace"], body["name"], lambda v: v[
                "metadata"].setdefault("annotations", {}).__setitem__(
                kubevirt.DIRTY_RATE_ANNOTATION, str(body["mibps"])))
        elif action == "fail-next-migration":
            self.twin.store.get(kubevirt.VMI, body["namespace"], body["name"])
            with self.twin.controller.lock:
                self.twin.controller.fail_next.add((body["namespace"], body["name"]))
        else:
            raise ApiError(404, f"unknown twin control {action!r}")
        return 200, self.status()

    def status(self):
        store = self.twin.store
        counts = {r.plural: len(store.list(r)[0]) for r in resources.RESOURCES if r.stored}
        return {"timeFactor": self.twin.clock.factor, "twinTime": self.twin.clock.stamp(),
                "resourceVersion": store.resource_version, "counts": counts,
                "migrations": self.twin.controller.progress()}
