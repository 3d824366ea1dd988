"""The three PATCH flavours clients send: JSON merge patch, JSON patch, strategic merge.

Strategic merge is treated as a merge patch: our types carry no patch-merge keys the tools use.
"""
import copy

from .errors import ApiError

MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"


def merge_patch(target, patch):
    """RFC 7386: null deletes a key, objects merge recursively, everything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def _tokens(pointer):
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ApiError(422, f"invalid JSON pointer {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _parent(doc, pointer):
    tokens = _tokens(pointer)
    if not tokens:
        raise ApiError(422, "cannot operate on the document root")
    cur = doc
    for tok in tokens[:-1]:
        cur = _child(cur, tok, pointer)
    return cur, tokens[-1]


def _child(cur, tok, pointer):
    try:
        return cur[int(tok)] if isinstance(cur, list) else cur[tok]
    except (KeyError, IndexError, ValueError, TypeError):
        raise ApiError(422, f"the server rejected our request due to an error in our request: "
                            f"path {pointer!r} does not exist") from None


def _get(doc, pointer):
    cur = doc
    for tok in _tokens(pointer):
        cur = _child(cur, tok, pointer)
    return cur


def _add(doc, pointer, value):
    parent, key = _parent(doc, pointer)
    if isinstance(parent, list):
        if key == "-":
            parent.append(value)
        else:
            parent.insert(int(key), value)
    elif isinstance(parent, dict):
        parent[key] = value
    else:
        raise ApiError(422, f"cannot add at {pointer!r}")


def _remove(doc, pointer):
    parent, key = _parent(doc, pointer)
    _child(parent, key, pointer)
    return parent.pop(int(key) if isinstance(parent, list) else key)


def json_patch(target, ops):
    """RFC 6902 on a copy; a failed ``test`` rejects the whole patch like the API server does."""
    if not isinstance(ops, list):
        raise ApiError(400, "json patch must be a list of operations")
    doc = copy.deepcopy(target)
    for op in ops:
        kind, path = op.get("op"), op.get("path", "")
        if kind == "add":
            _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "replace":
            _remove(doc, path)
            _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "move":
            _add(doc, path, _remove(doc, op["from"]))
        elif kind == "copy":
            _add(doc, path, copy.deepcopy(_get(doc, op["from"])))
        elif kind == "test":
            if _get(doc, path) != op.get("value"):
                raise ApiError(422, f"the server rejected our request due to an error in our "
                                    f"request: testing value at {path!r} failed")
        else:
            raise ApiError(400, f"unknown JSON patch operation {kind!r}")
    return doc


def apply(content_type, target, body):
    kind = (content_type or "").split(";")[0].strip()
    if kind == JSON_PATCH:
        return json_patch(target, body)
    if kind in (MERGE, STRATEGIC):
        return merge_patch(target, body)
    raise ApiError(415, f"the body of the request was in an unknown format - accepted media "
                        f"types include: {JSON_PATCH}, {MERGE}, {STRATEGIC}")
