"""Keeps a seeded fleet's databases so a later start of the same fleet skips the boots.

Booting a server through Nova costs about 1.2 CPU-seconds (API, conductor, scheduler,
Placement, compute), so seeding 60 servers takes over a minute; copying the rows of an earlier,
identical seed takes well under a second. The key covers the fleet, the Nova and Placement
versions and the twin's own code, so any change to them seeds afresh.

A restore copies rows into the freshly created databases before any compute starts. The
computes then find their nodes, services and instances as after a restart: node UUIDs are
stable (``SimDriver.get_nodenames_by_uuid``) and each hypervisor adopts the guests Nova
records on it (``SimDriver.init_host``).
"""
import dataclasses
import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from importlib import metadata

from nova import context as nova_context
from nova import objects
from nova.db.api import api as api_db
from nova.db.main import api as main_db
from placement import db_api as placement_db

# Each fixture run creates its cell mappings with fresh UUIDs naming fresh database files.
KEEP_TABLES = {"api": {"cell_mappings"}}
# Nova counts a service down 60 s after its last heartbeat; restored ones must look just seen,
# as they would after a restart, until their first heartbeat in this process.
_SEEN_NOW = "UPDATE main.services SET updated_at = :now, last_seen_up = :now"
_CODE = ("controlplane.py", "driver.py", "fleet.py", "seed.py", "seedcache.py")
_CINDER = "cinder.json"


def key(fleet):
    digest = hashlib.sha256()
    digest.update(json.dumps(dataclasses.asdict(fleet), sort_keys=True).encode())
    for dist in ("nova", "openstack-placement"):
        digest.update(("%s=%s;" % (dist, metadata.version(dist))).encode())
    here = os.path.dirname(os.path.abspath(__file__))
    for name in _CODE:
        with open(os.path.join(here, name), "rb") as source:
            digest.update(source.read())
    return digest.hexdigest()[:20]


def databases(case):
    """Database name -> file of the running control plane: api, placement and one per cell."""
    files = {
        "api": api_db.get_engine().url.database,
        "placement": placement_db.get_placement_engine().url.database,
    }
    ctx = nova_context.get_admin_context()
    for name, cell in case.cell_mappings.items():
        with nova_context.target_cell(ctx, cell) as cctxt:
            files[name] = main_db.get_engine(context=cctxt).url.database
    return files


def save(case, cinder, directory):
    """Copy every database and the Cinder stand-in's volumes into ``directory``, atomically."""
    parent = os.path.dirname(directory)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(dir=parent, prefix=".staging-")
    try:
        for name, path in databases(case).items():
            with sqlite3.connect(path) as source, sqlite3.connect(os.path.join(staging, name + ".sqlite")) as copy:
                source.backup(copy)
        with open(os.path.join(staging, _CINDER), "w", encoding="utf-8") as f:
            json.dump({"volumes": cinder.volumes, "attachments": cinder.volume_to_attachment}, f)
        os.rename(staging, directory)
    except OSError:
        # Another twin of the same fleet saved it first; theirs is as good as ours.
        if not os.path.isdir(directory):
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def restore(case, cinder, directory):
    for name, path in databases(case).items():
        _copy_rows(os.path.join(directory, name + ".sqlite"), path, KEEP_TABLES.get(name, ()))
    with open(os.path.join(directory, _CINDER), encoding="utf-8") as f:
        saved = json.load(f)
    cinder.volumes.update(saved["volumes"])
    cinder.volume_to_attachment.update(saved["attachments"])
    # The harness creates a host mapping for any compute it has not seen start before.
    for mapping in objects.HostMappingList.get_all(nova_context.get_admin_context()):
        case.host_mappings[mapping.host] = mapping


def _copy_rows(saved, live, keep):
    connection = sqlite3.connect(live, isolation_level=None)
    try:
        connection.execute("ATTACH DATABASE ? AS saved", (saved,))
        tables = [row[0] for row in connection.execute("SELECT name FROM saved.sqlite_master WHERE type = 'table'")]
        connection.execute("BEGIN IMMEDIATE")
        for table in tables:
            if table not in keep:
                connection.execute('DELETE FROM main."%s"' % table)
                connection.execute('INSERT INTO main."%s" SELECT * FROM saved."%s"' % (table, table))
        if "services" in tables:
            now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
            connection.execute(_SEEN_NOW, {"now": now})
        connection.execute("COMMIT")
        connection.execute("DETACH DATABASE saved")
    finally:
        connection.close()
