"""Target node choice for a migration: filter feasible nodes, then prefer the most free memory."""
from . import kubevirt, quantity


def _cpu_labels(vmi, source):
    """Labels a target needs so the guest CPU model exists there (KubeVirt's node labeller)."""
    model = ((vmi["spec"].get("domain") or {}).get("cpu") or {}).get("model") or "host-model"
    if model == "host-passthrough":
        return {}
    if model == "host-model":
        labels = source["metadata"].get("labels") or {}
        return {k: "true" for k in labels if k.startswith(kubevirt.HOST_MODEL_LABEL)}
    return {kubevirt.CPU_MODEL_LABEL + model: "true"}


def used_memory(store, extra):
    """Memory requested on each node by running VMIs plus reservations of in-flight targets."""
    used = dict(extra)
    vmis, _ = store.list(kubevirt.VMI)
    for vmi in vmis:
        status = vmi.get("status") or {}
        if status.get("phase") == "Running" and status.get("nodeName"):
            used[status["nodeName"]] = used.get(status["nodeName"], 0) + kubevirt.memory_bytes(vmi)
    return used


def feasible(node, vmi, source, needed, used, selector):
    labels = node["metadata"].get("labels") or {}
    ready = kubevirt.condition(node, "Ready")
    free = quantity.parse(node["status"]["allocatable"].get("memory")) - used.get(
        node["metadata"]["name"], 0)
    wanted = dict(selector)
    wanted.update(vmi["spec"].get("nodeSelector") or {})
    wanted.update(_cpu_labels(vmi, source))
    return (node["metadata"]["name"] != source["metadata"]["name"]
            and labels.get(kubevirt.SCHEDULABLE_LABEL) == "true"
            and not (node.get("spec") or {}).get("unschedulable")
            and ready is not None and ready.get("status") == "True"
            and all(labels.get(k) == v for k, v in wanted.items())
            and free >= needed)


def pick(store, vmi, source_name, added_selector, reserved):
    """Return (node name or None, number of nodes considered)."""
    nodes, _ = store.list(kubevirt.NODE)
    source = next((n for n in nodes if n["metadata"]["name"] == source_name),
                  {"metadata": {"name": source_name, "labels": {}}})
    used = used_memory(store, reserved)
    needed = kubevirt.memory_bytes(vmi)
    fits = [n for n in nodes if feasible(n, vmi, source, needed, used, added_selector or {})]
    if not fits:
        return None, len(nodes)
    # Most free memory wins; among equals the first by name (the list is sorted), so runs repeat.
    best = max(fits, key=lambda n: quantity.parse(n["status"]["allocatable"]["memory"])
               - used.get(n["metadata"]["name"], 0))
    return best["metadata"]["name"], len(nodes)
