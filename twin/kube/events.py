"""core/v1 Events, the way controllers report what happened to an object."""
from . import kubevirt


def record(store, obj, kind, reason, message, component="virtualmachine-controller"):
    meta = obj["metadata"]
    stamp = store.clock.stamp()
    store.create(kubevirt.EVENT, {
        "metadata": {"generateName": f"{meta['name']}.", "namespace": meta.get("namespace")},
        "involvedObject": {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"),
                           "name": meta["name"], "namespace": meta.get("namespace"),
                           "uid": meta.get("uid")},
        "reason": reason, "message": message, "type": kind, "count": 1,
        "firstTimestamp": stamp, "lastTimestamp": stamp,
        "source": {"component": component}, "reportingComponent": component,
    })
