"""Nova's own control plane, built from its functional-test fixtures, kept alive in-process.

Import only after ``twin.nova.bootstrap.prepare()``: Nova must choose native threads before
anything imports eventlet-aware libraries.
"""
import concurrent.futures
import contextlib
import logging
import os
import sys
import threading
import time
import warnings
from unittest import mock

import futurist
import futurist._thread
from oslo_db.sqlalchemy import engines
from placement import deploy as placement_deploy
from sqlalchemy import pool

from nova import context as nova_context
from nova import thread_pool_factory
from nova.compute import manager as compute_manager
from nova.tests import fixtures as nova_fixtures
from nova.tests.functional import integrated_helpers
from nova.tests.functional.api import client as api_client

from twin.nova import driver, messaging, seedcache, simstate

sys.modules["nova.virt.vmops_sim"] = driver
messaging.deliver_on_arrival()

IMAGE_ID = "155d900f-4e14-4e4c-a73d-069cbf4541e6"  # GlanceFixture's first image
PROJECT_ID = "6f70656e737461636b20342065766572"  # the project Nova's fixtures use
IDLE_POLL_S = 2.0  # futurist workers poll for work; the fixtures' 10 ms burns a core
NOTIFICATION_FLUSH_S = 30


@contextlib.contextmanager
def _target_cell_only(fixture, context, cell_mapping):
    # Nova's fixture also repoints untargeted DB access at the last targeted cell, under a
    # reader-writer lock that deadlocks when many builds and API listings overlap. With one
    # compute cell, untargeted access always means cell1 (as on a real compute), so targeting
    # the context is enough.
    with fixture._real_target_cell(context, cell_mapping) as targeted:
        yield targeted


nova_fixtures.CellDatabases._wrap_target_cell = _target_cell_only


@engines._init_connection_args.dispatch_for("sqlite")
def _pool_sqlite_file_connections(url, engine_args, kw):
    # oslo.db opens a new sqlite connection for every transaction of a file database (NullPool);
    # opening and closing them was a fifth of the twin's CPU. The fixtures' files use WAL, where
    # pooled connections shared between threads one at a time are safe.
    if engine_args.get("poolclass") is pool.NullPool:
        engine_args.update(poolclass=pool.QueuePool, pool_size=16, max_overflow=-1)
        engine_args["connect_args"]["check_same_thread"] = False


# Nova sizes ONE process-wide live-migration pool by max_concurrent_live_migrations; a real
# cloud has one per nova-compute process. All the twin's computes share a process, so without
# this every live migration of the cloud would wait for the one before it, whatever its source.
_live_migration_host = threading.local()
_live_migration_pools = {}
_process_wide_executor = thread_pool_factory.get_executor
_start_recorded_task = compute_manager.ComputeManager._start_recorded_task


def _per_compute_executor(executor_type):
    host = getattr(_live_migration_host, "name", None)
    if executor_type is not thread_pool_factory.ExecutorType.LIVE_MIGRATION or host is None:
        return _process_wide_executor(executor_type)
    if host not in _live_migration_pools:
        executor = futurist.ThreadPoolExecutor(thread_pool_factory.get_max_concurrent_live_migrations())
        executor.name = "%s.live_migration" % host
        _live_migration_pools[host] = executor
    return _live_migration_pools[host]


def _start_task_on_own_pool(manager, executor_type, *args, **kwargs):
    _live_migration_host.name = manager.host
    try:
        return _start_recorded_task(manager, executor_type, *args, **kwargs)
    finally:
        _live_migration_host.name = None


thread_pool_factory.get_executor = _per_compute_executor
compute_manager.ComputeManager._start_recorded_task = _start_task_on_own_pool


class _Harness(integrated_helpers.ProviderUsageBaseTestCase):
    compute_driver = "vmops_sim.SimDriver"

    def setUp(self):
        # The wheel puts api-paste.ini under the venv, not where ConfFixture looks.
        self.flags(api_paste_config=os.path.join(sys.prefix, "etc", "nova", "api-paste.ini"), group="wsgi")
        super().setUp()

    def useFixture(self, fixture):
        # The base class starts Cinder's stand-in without keeping it; the seed cache needs its volumes.
        if isinstance(fixture, nova_fixtures.CinderFixture):
            self.cinder = fixture
        return super().useFixture(fixture)

    def runTest(self):
        """The harness is driven by hand, never run as a test."""


class ControlPlane:
    def __init__(self, fleet, log_path, restore_from=None):
        """Start the services; with ``restore_from`` (a seed cache entry) the fleet's servers too."""
        for spec in fleet.hosts:
            simstate.hosts[spec.name] = spec
        self.fleet = fleet
        # One lock around every API request and every service start (recipe trap 9).
        self.lock = threading.RLock()
        self.killed = {}
        self.case = _Harness("runTest")
        self.case.setUp()
        self._relax_fixtures(log_path)
        if fleet.libvirt:
            self.case.flags(group="libvirt", **fleet.libvirt)
        if restore_from:
            seedcache.restore(self.case, self.case.cinder, restore_from)
        for spec in fleet.hosts:
            self.case._start_compute(spec.name)
        self.api = self.case.admin_api
        self.api.microversion = "latest"
        self.nova_app = self.case.api_fixture.app()
        self.placement_app = placement_deploy.loadapp(self.case.placement.fixture.conf_fixture.conf)
        self._flusher = threading.Thread(target=self._flush_notifications, daemon=True)
        self._flusher.start()

    def save_seed(self, directory):
        with self.lock:
            seedcache.save(self.case, self.case.cinder, directory)

    def _relax_fixtures(self, log_path):
        warnings.resetwarnings()
        warnings.simplefilter("ignore")
        self.case.flags(response_validation="warn", group="api")
        self.case.flags(instances=-1, cores=-1, ram=-1, server_groups=-1, server_group_members=-1, group="quota")
        futurist._thread.ThreadWorker.MAX_IDLE_FOR = IDLE_POLL_S
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        handler = logging.FileHandler(log_path)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)

    def _flush_notifications(self):
        # The notification fixture keeps every notification forever.
        while True:
            time.sleep(NOTIFICATION_FLUSH_S)
            self.case.notifier.reset()

    @property
    def computes(self):
        return self.case.computes

    def kill(self, host):
        if host in self.killed:
            return False
        service = self.computes[host]
        self.killed[host] = service
        service.stop()
        return True

    def revive(self, host):
        service = self.killed.get(host)
        if service is None:
            return False
        # A restart keeps the guests: the new service gets the old hypervisor.
        cell = self.case.host_mappings[host].cell_mapping.name
        with self.lock, mock.patch("nova.virt.driver.load_compute_driver", return_value=service.manager.driver):
            self.computes[host] = self.case.start_service("compute", host=host, cell_name=cell)
        del self.killed[host]
        return True

    def abort_transfers(self):
        aborted = []
        for instance_uuid, (source, _) in simstate.transfers().items():
            self.computes[source].manager.driver.request(instance_uuid, "abort")
            aborted.append(instance_uuid)
        return aborted

    def clear_forced_down(self):
        with self.lock:
            services = self.api.api_get("/os-services?binary=nova-compute").body["services"]
            for service in services:
                if service["forced_down"] and service["host"] not in self.killed:
                    try:
                        self.api.api_put("/os-services/%s" % service["id"], {"forced_down": False})
                    except api_client.OpenStackApiException:
                        pass  # Nova keeps it down while evacuations from the host are unfinished

    def add_host(self, spec):
        if spec.name in self.computes:
            raise ValueError("host %s exists" % spec.name)
        simstate.hosts[spec.name] = spec
        self.fleet.hosts.append(spec)
        with self.lock:
            self.case._start_compute(spec.name)

    def run_periodics(self):
        ctx = nova_context.get_admin_context()
        hosts = [h for h in self.computes if h not in self.killed]
        for host in hosts:
            cell = self.case.host_mappings[host].cell_mapping
            with nova_context.target_cell(ctx, cell) as cctxt:
                self.computes[host].manager.update_available_resource(cctxt)
        return hosts

    def guest_count(self):
        return sum(len(service.manager.driver.instances) for service in self.computes.values())

    def host_status(self):
        hosts = {}
        transfers = simstate.transfers().values()
        for name, service in self.computes.items():
            spec = simstate.hosts.get(name)
            hosts[name] = {
                "service": "killed" if name in self.killed else "running",
                "guests": len(service.manager.driver.instances),
                "migrations_out": sum(1 for src, _ in transfers if src == name),
                "migrations_in": sum(1 for _, dst in transfers if dst == name),
                "spec": spec.to_dict() if spec else None,
            }
        return hosts

    def stop(self):
        # Workers notice a stop only at their next idle poll; shorten it and stop in parallel.
        futurist._thread.ThreadWorker.MAX_IDLE_FOR = 0.05
        running = [s for h, s in self.computes.items() if h not in self.killed]
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, len(running))) as pool:
            list(pool.map(lambda service: service.stop(), running))
