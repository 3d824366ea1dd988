"""Server-side printing: the meta.k8s.io/v1 Table kubectl asks for with ``as=Table``."""
from datetime import datetime

from .selectors import field_value


def _age(stamp, now):
    if not stamp:
        return "<unknown>"
    seconds = max(0, int(now - datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _cell(obj, path):
    value = field_value(obj, path)
    return value if value != "" else "<none>"


def render(res, obj, now):
    """A Table for one object or a list; each row carries the full object."""
    items = obj["items"] if "items" in obj else [obj]
    columns = [{"name": "Name", "type": "string", "format": "name", "description": "Name",
                "priority": 0}]
    columns += [{"name": header, "type": kind, "format": "", "description": path, "priority": 0}
                for header, path, kind in res.columns]
    columns.append({"name": "Age", "type": "string", "format": "", "description": "Age",
                    "priority": 0})
    rows = [{"cells": [o["metadata"]["name"]] + [_cell(o, path) for _, path, _ in res.columns]
             + [_age(o["metadata"].get("creationTimestamp"), now)], "object": o} for o in items]
    rv = obj.get("metadata", {}).get("resourceVersion", "")
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": rv},
            "columnDefinitions": columns, "rows": rows}
