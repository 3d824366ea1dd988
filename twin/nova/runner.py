"""Starts the twin in this process, serves it until SIGTERM, then shuts it down."""
import json
import os
import shutil
import signal
import sys
import threading
import time
import traceback

READY_FILE = "twin.json"


def _serve(app, port, certificates=None):
    """Serve ``app`` on 127.0.0.1 (HTTPS with ``certificates``, see tls.create); (server, port)."""
    from cheroot import wsgi

    from twin.nova import tls

    server = wsgi.Server(("127.0.0.1", port), app, numthreads=8, shutdown_timeout=1)
    if certificates:
        server.ssl_adapter = tls.adapter(certificates)
    server.prepare()
    threading.Thread(target=server.serve, daemon=True, name="http-%d" % port).start()
    return server, server.socket.getsockname()[1]


def up(args):
    started = time.monotonic()
    state_dir = os.path.abspath(args.state_dir)
    os.makedirs(state_dir, exist_ok=True)
    ready_path = os.path.join(state_dir, READY_FILE)
    if os.path.exists(ready_path):
        os.remove(ready_path)
    try:
        return _up(args, state_dir, ready_path, started)
    except BaseException:
        # Nova's fixtures swap sys.stderr for a capture buffer (recipe trap 3).
        traceback.print_exc(file=sys.__stderr__)
        os._exit(1)


def _up(args, state_dir, ready_path, started):
    from twin.nova import bootstrap

    tmp = bootstrap.prepare(state_dir)
    imported = time.monotonic()

    from twin.nova import clouds, controlplane, fleet, gateway, seed, seedcache, simstate, tls
    from twin.nova.controlapi import ControlApi
    from twin.nova.faults import Faults

    simstate.set_time_factor(args.time_factor)
    plan = fleet.load(args.config, computes=args.computes, servers=args.servers)
    cached_seed = args.seed_cache and os.path.join(args.seed_cache, seedcache.key(plan))
    restoring = bool(cached_seed) and os.path.isdir(cached_seed)
    plane = controlplane.ControlPlane(plan, os.path.join(state_dir, "nova.log"),
                                      restore_from=cached_seed if restoring else None)
    services_up = time.monotonic()
    if restoring:
        seed.check_restored(plane, plan)
    else:
        seed.seed(plane, plan)
        if cached_seed:
            plane.save_seed(cached_seed)
    seeded = time.monotonic()

    timings = {
        "import_s": round(imported - started, 2),
        "services_s": round(services_up - imported, 2),
        "seed_s": round(seeded - services_up, 2),
        "seed_from": "cache" if restoring else "boot",
        # Wall times depend on what else the machine runs; CPU time much less so.
        "cpu_s": round(time.process_time(), 2),
    }
    faults = Faults()
    control = ControlApi(plane, faults, timings)
    nova = gateway.NovaGateway(plane.nova_app, plane.lock, faults, control, controlplane.PROJECT_ID,
                               simstate.count_live_migrate_post)
    certificates = tls.create(state_dir) if args.tls else None
    scheme = "https" if args.tls else "http"
    nova_server, nova_port = _serve(nova, args.port, certificates)
    placement_server, placement_port = _serve(gateway.PlacementGateway(plane.placement_app, plane.lock),
                                              args.placement_port, certificates)
    base = "%s://127.0.0.1:%d" % (scheme, nova_port)
    endpoints = {
        "compute": base + "/v2.1",
        "placement": "%s://127.0.0.1:%d" % (scheme, placement_port),
        "identity": base + "/_twin/identity/v3",
        "control": base + "/_twin",
    }
    clouds_path = os.path.join(state_dir, "clouds.yaml")
    clouds.write(clouds_path, endpoints["compute"], endpoints["placement"], endpoints["identity"],
                 controlplane.PROJECT_ID)
    timings["ready_s"] = round(time.monotonic() - started, 2)
    ready = {
        "pid": os.getpid(),
        "nova_port": nova_port,
        "placement_port": placement_port,
        "endpoints": endpoints,
        "clouds_yaml": clouds_path,
        "cloud": clouds.CLOUD,
        "hosts": [h.name for h in plan.hosts],
        "image_id": controlplane.IMAGE_ID,
        "ca_cert": certificates and certificates["ca.crt"],
        "timings": timings,
    }
    _write_atomically(ready_path, ready)
    print(json.dumps(ready, indent=2), file=sys.__stdout__, flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(1):
        pass
    # No fixture cleanups: they take ~10 s and the process is about to go anyway (trap 10).
    for server in (nova_server, placement_server):
        server.stop()
    plane.stop()
    os.remove(ready_path)
    shutil.rmtree(tmp, ignore_errors=True)
    sys.__stdout__.flush()
    os._exit(0)


def _write_atomically(path, payload):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(payload, f, indent=2)
    os.replace(tmp, path)
