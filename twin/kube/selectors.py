"""Label and field selectors, as the API server parses them from ?labelSelector= / ?fieldSelector=."""
import re

from .errors import ApiError

_SET_RE = re.compile(r"^\s*(!?)([\w./-]+)\s*(?:(notin|in)\s*\(([^)]*)\))?\s*$")
_EQ_RE = re.compile(r"^\s*([\w./-]+)\s*(==|!=|=)\s*([\w./-]*)\s*$")


def _split_top(text):
    """Split on commas that are not inside parentheses (``a in (x,y),b``)."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return parts


def parse_labels(text):
    """Return a predicate over a labels dict."""
    tests = []
    for term in _split_top(text or ""):
        eq = _EQ_RE.match(term)
        if eq:
            key, op, value = eq.groups()
            if op == "!=":
                tests.append(lambda labels, k=key, v=value: labels.get(k) != v)
            else:
                tests.append(lambda labels, k=key, v=value: labels.get(k) == v)
            continue
        st = _SET_RE.match(term)
        if not st:
            raise ApiError(400, f"unable to parse requirement: {term.strip()!r}")
        neg, key, op, values = st.groups()
        if op:
            vals = {v.strip() for v in values.split(",") if v.strip()}
            if op == "in":
                tests.append(lambda labels, k=key, vs=vals: labels.get(k) in vs)
            else:
                tests.append(lambda labels, k=key, vs=vals: labels.get(k) not in vs)
        elif neg:
            tests.append(lambda labels, k=key: k not in labels)
        else:
            tests.append(lambda labels, k=key: k in labels)
    return lambda labels: all(t(labels or {}) for t in tests)


def field_value(obj, path):
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def parse_fields(text):
    """Return a predicate over an object; any dotted path works, like the server's field labels."""
    tests = []
    for term in _split_top(text or ""):
        m = _EQ_RE.match(term)
        if not m:
            raise ApiError(400, f"invalid field selector: {term.strip()!r}")
        path, op, value = m.groups()
        if op == "!=":
            tests.append(lambda obj, p=path, v=value: field_value(obj, p) != v)
        else:
            tests.append(lambda obj, p=path, v=value: field_value(obj, p) == v)
    return lambda obj: all(t(obj) for t in tests)
