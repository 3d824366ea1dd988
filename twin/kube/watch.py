"""Watch streams: an initial state (when no resourceVersion is given), then every change.

Events are filtered per watcher the way the API server does it: an object that starts matching
the selectors arrives as ADDED, one that stops matching as DELETED.
"""
import time

from . import errors
from .api import matcher

# The API server ends watches after a while even without timeoutSeconds; clients re-watch.
MAX_WATCH_SECONDS = 1800


def _translate(event, match, namespace):
    def ok(obj):
        return obj is not None and (not namespace or obj["metadata"].get("namespace") == namespace) \
            and match(obj)
    if event.type == "MODIFIED":
        now, before = ok(event.obj), ok(event.prev)
        if now:
            return "MODIFIED" if before else "ADDED"
        return "DELETED" if before else None
    return event.type if ok(event.obj) else None


def stream(store, target, send, stopping):
    """Call ``send(type, object)`` for each event until timeout, shutdown or a send failure."""
    match = matcher(target)
    timeout = float(target.param("timeoutSeconds") or MAX_WATCH_SECONDS)
    deadline = time.monotonic() + min(timeout, MAX_WATCH_SECONDS)
    start = target.param("resourceVersion") or "0"
    if start == "0":
        items, rv = store.list(target.res, target.namespace, match)
        for obj in items:
            send("ADDED", obj)
        last = int(rv)
    else:
        try:
            last = int(start)
        except ValueError:  # headers are already sent: errors travel as an ERROR event
            send("ERROR", errors.ApiError(400, f"invalid resource version {start!r}").status())
            return
    while not stopping.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        with store.changed:
            events = store.events_after(last)
            if events == []:
                store.changed.wait(min(left, 0.5))
                continue
        if events is None:
            send("ERROR", errors.gone(last).status())
            return
        for ev in events:
            last = ev.rv
            if ev.key != target.res.key:
                continue
            kind = _translate(ev, match, target.namespace)
            if kind:
                send(kind, ev.obj)
