"""Kubernetes resource.Quantity strings ("4Gi", "512M", "1.5") as numbers of bytes/units."""
import re

_SUFFIX = {
    "": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60, "m": 1e-3,
}
_RE = re.compile(r"^\s*([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)\s*$")


def parse(value, default=0):
    if value is None or value == "":
        return default
    if isinstance(value, (int, float)):
        return value
    m = _RE.match(str(value))
    if not m or m.group(2) not in _SUFFIX:
        raise ValueError(f"invalid quantity {value!r}")
    return float(m.group(1)) * _SUFFIX[m.group(2)]


def gib(n_bytes):
    return f"{n_bytes / 2**30:g}Gi"
