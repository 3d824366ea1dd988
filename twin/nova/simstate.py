"""Process-wide state shared by the simulated hypervisors and the control endpoint.

The compute drivers are built by Nova, not by us, so they cannot be handed their settings;
they read them from here instead.
"""
import collections
import threading
import time

_lock = threading.Lock()

time_factor = 1.0
hosts = {}  # host name -> fleet.HostSpec
counters = collections.Counter()
live_migrate_posts = collections.Counter()  # server id -> POSTs received by nova-api
_active = {}  # instance uuid -> (source host, destination host)
_history = collections.deque(maxlen=10000)  # ended transfers, oldest first
_began = {}  # instance uuid -> wall time its transfer began


def set_time_factor(factor):
    global time_factor
    if factor <= 0:
        raise ValueError("time factor must be positive")
    time_factor = float(factor)


def count(event):
    with _lock:
        counters[event] += 1


def count_live_migrate_post(server_id):
    with _lock:
        live_migrate_posts[server_id] += 1


def reset_counters():
    with _lock:
        counters.clear()
        live_migrate_posts.clear()


def begin_transfer(instance_uuid, source, dest):
    with _lock:
        _active[instance_uuid] = (source, dest)
        _began[instance_uuid] = time.time()


def end_transfer(instance_uuid, outcome, simulated_s):
    """Close a transfer; it joins the history `history()` returns (what benchmarks measure)."""
    with _lock:
        source, dest = _active.pop(instance_uuid, (None, None))
        began = _began.pop(instance_uuid, None)
        _history.append({"server": instance_uuid, "source": source, "dest": dest, "outcome": outcome,
                         "began": began, "ended": time.time(), "simulated_s": round(simulated_s, 3)})


def history():
    with _lock:
        return list(_history)


def transfers():
    with _lock:
        return dict(_active)


def shared_bandwidth_mibps(source, dest):
    """A host's migration bandwidth is split evenly between the transfers it takes part in."""
    with _lock:
        active = list(_active.values())
    shares = []
    for host in (source, dest):
        spec = hosts.get(host)
        if spec is None:
            continue
        busy = sum(1 for pair in active if host in pair) or 1
        shares.append(spec.bandwidth_mibps / busy)
    return min(shares) if shares else 1000.0


def snapshot():
    with _lock:
        return {
            "time_factor": time_factor,
            "live_migrations": dict(counters),
            "live_migrate_posts": dict(live_migrate_posts),
            "transfers_in_flight": len(_active),
        }
