"""Creates the fleet's flavors, aggregates and servers through Nova's own API."""
import time

from twin.nova.controlplane import IMAGE_ID

BOOT_TIMEOUT_S = 300  # a loaded 2-core machine needs more than twice the idle minute for 60 boots
BOOT_S_PER_SERVER = 3.0  # big fleets: one compute builds about one server every 2.7 s


def seed(plane, fleet):
    api = plane.api
    with plane.lock:
        flavors = {f["name"]: _flavor(api, f) for f in fleet.flavors}
        for aggregate in fleet.aggregates:
            _aggregate(api, aggregate)
        # Booting is asynchronous, so all POSTs go first and the builds overlap.
        ids = {s.name: api.post_server({"server": _server_body(s, flavors[s.flavor])})["id"] for s in fleet.servers}
    _wait(plane, ids.values(), "ACTIVE")
    stopped = [ids[s.name] for s in fleet.servers if s.status == "SHUTOFF"]
    with plane.lock:
        for server_id in stopped:
            api.post_server_action(server_id, {"os-stop": None})
    _wait(plane, stopped, "SHUTOFF")
    return ids


def check_restored(plane, fleet):
    """Every fleet server listed once, in its status and on its host, after a seed-cache restore."""
    with plane.lock:
        listed = plane.api.api_get("/servers/detail?all_tenants=1").body["servers"]
    found = {s["name"]: (s["status"], s["OS-EXT-SRV-ATTR:host"]) for s in listed}
    wanted = {s.name: (s.status, s.host) for s in fleet.servers}
    if found != wanted:
        wrong = sorted(name for name in set(found) | set(wanted) if found.get(name) != wanted.get(name))
        raise RuntimeError("restored seed differs from the fleet for %d servers, e.g. %s" % (len(wrong), wrong[:5]))


def _flavor(api, spec):
    body = {"name": spec["name"], "vcpus": spec["vcpus"], "ram": spec["ram"], "disk": spec.get("disk", 0)}
    flavor_id = api.post_flavor({"flavor": body})["id"]
    if spec.get("extra_specs"):
        api.api_post("/flavors/%s/os-extra_specs" % flavor_id, {"extra_specs": spec["extra_specs"]})
    return flavor_id


def _aggregate(api, spec):
    body = {"name": spec["name"]}
    if spec.get("availability_zone"):
        body["availability_zone"] = spec["availability_zone"]
    aggregate_id = api.post_aggregate({"aggregate": body})["id"]
    for host in spec.get("hosts", []):
        api.add_host_to_aggregate(aggregate_id, host)
    if spec.get("metadata"):
        api.post_aggregate_action(aggregate_id, {"set_metadata": {"metadata": spec["metadata"]}})


def _server_body(spec, flavor_id):
    body = {
        "name": spec.name,
        "flavorRef": flavor_id,
        "networks": "none",
        "host": spec.host,
        "metadata": spec.metadata,
    }
    if spec.volume_backed:
        body["block_device_mapping_v2"] = [{
            "boot_index": 0,
            "uuid": IMAGE_ID,
            "source_type": "image",
            "destination_type": "volume",
            "volume_size": 10,
            "delete_on_termination": True,
        }]
    else:
        body["imageRef"] = IMAGE_ID
    return body


def _wait(plane, server_ids, status):
    """Wait until none of the servers is in transition.

    Server listings are costly for Nova (a scatter-gather over the cells), so while booting
    the twin first watches its own hypervisors, then confirms through the API once a second.
    """
    wanted = set(server_ids)
    deadline = time.monotonic() + max(BOOT_TIMEOUT_S, BOOT_S_PER_SERVER * len(wanted))
    if status == "ACTIVE":
        while plane.guest_count() < len(wanted) and time.monotonic() < deadline:
            time.sleep(0.2)
    transitional = "BUILD" if status == "ACTIVE" else status_before(status)
    while wanted:
        with plane.lock:
            busy = _ids(plane, transitional) & wanted
        if not busy:
            break
        if time.monotonic() > deadline:
            raise RuntimeError("%d seed servers did not reach %s" % (len(busy), status))
        time.sleep(1)
    with plane.lock:
        failed = _ids(plane, "ERROR") & wanted
    if failed:
        raise RuntimeError("seed servers went to ERROR: %s" % sorted(failed))


def status_before(status):
    # A stopping server still reports ACTIVE until the compute has powered it off.
    return {"SHUTOFF": "ACTIVE"}[status]


def _ids(plane, status):
    servers = plane.api.api_get("/servers?all_tenants=1&status=%s" % status).body["servers"]
    return {s["id"] for s in servers}
