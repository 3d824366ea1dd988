"""The migration controller: moves VMIMs through KubeVirt's phases with pre-copy physics.

One thread ticks every few milliseconds of wall time; each tick advances twin time by the
elapsed wall time times the clock factor. Limits, timeouts and abort follow KubeVirt v1.6.6
(facts.md): over-limit migrations stay Pending, a stuck or too-slow copy is aborted, deleting
an in-flight migration aborts it, and the finalizer holds the object until the end.
"""
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field

from . import events, kubevirt, physics, quantity, scheduler
from .errors import ApiError
from .fleet import launcher_pod

log = logging.getLogger("twin.kube.controller")
MIB = 2**20
GIB = 2**30
# Twin seconds each hand-off step takes: target pod scheduling, preparation, domain start.
STEP_SECONDS = {"Scheduling": 1.0, "Scheduled": 1.0, "PreparingTarget": 1.0, "TargetReady": 0.5}
NEXT = {"Scheduled": "PreparingTarget", "PreparingTarget": "TargetReady", "TargetReady": "Running"}
ACTIVE = ("Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running")
UNSCHEDULABLE_TIMEOUT = 300   # KubeVirt gives up on an unschedulable target pod after 5 min
ABORT_SECONDS = 0.5           # time virt-handler takes to cancel a running copy


@dataclass
class Run:
    """What the controller remembers about one migration between ticks."""
    namespace: str
    name: str
    vmi: str
    source: str
    since: float                       # twin time the current phase began
    target: str = ""
    target_pod: str = ""
    memory: float = 0.0
    copy: physics.PreCopy = None
    bandwidth: float = 0.0
    started: float = 0.0
    last_progress: float = 0.0
    best_remaining: float = float("inf")
    abort_since: float = None
    warned: set = field(default_factory=set)


class Controller:
    def __init__(self, store, clock, bandwidth_mibps=1000.0, tick=0.05):
        self.store = store
        self.clock = clock
        self.bandwidth = bandwidth_mibps * MIB
        self.tick_seconds = tick
        self.runs = {}              # VMIM uid -> Run
        self.fail_next = set()      # (namespace, VMI name) whose next migration must fail
        self.stopping = threading.Event()
        self.lock = threading.RLock()
        self._thread = threading.Thread(target=self._loop, name="kube-twin-controller", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self.stopping.set()
        self._thread.join(timeout=5)

    def reset(self):
        with self.lock:
            self.runs.clear()
            self.fail_next.clear()

    def progress(self):
        with self.lock:
            return [{"namespace": r.namespace, "name": r.name, "vmi": r.vmi, "uid": uid,
                     "source": r.source, "target": r.target,
                     "memoryBytes": r.memory, "bandwidthBytesPerSecond": r.bandwidth,
                     "remainingBytes": r.copy.remaining if r.copy else r.memory,
                     "transferredBytes": r.copy.transferred if r.copy else 0.0,
                     "iterations": r.copy.iterations if r.copy else 0,
                     "mode": "PostCopy" if r.copy and r.copy.post_copy else "PreCopy"}
                    for uid, r in self.runs.items()]

    # --- loop --------------------------------------------------------------------------
    def _loop(self):
        last = self.clock.now()
        while not self.stopping.wait(self.tick_seconds):
            now = self.clock.now()
            with self.lock:
                try:
                    self.tick(now, now - last)
                except Exception:  # keep the cluster alive; the log says what broke
                    log.exception("controller tick failed")
            last = now

    def tick(self, now, dt):
        self._sync_hyperconverged()
        config = kubevirt.migration_config(self.store)
        migrations, _ = self.store.list(kubevirt.VMIM)
        migrations.sort(key=lambda m: (m["metadata"]["creationTimestamp"], m["metadata"]["name"]))
        active = [m for m in migrations if self._phase(m) in ACTIVE]
        self._load = {"cluster": len(active),
                      "outbound": Counter(self.runs[m["metadata"]["uid"]].source
                                          for m in active if m["metadata"]["uid"] in self.runs)}
        for m in migrations:
            try:
                self._step(m, config, now, dt)
            except ApiError as err:  # the object changed or vanished under us: next tick
                log.debug("migration %s: %s", m["metadata"]["name"], err.message)

    @staticmethod
    def _phase(m):
        return (m.get("status") or {}).get("phase") or ""

    def _step(self, m, config, now, dt):
        meta, phase = m["metadata"], self._phase(m)
        run = self.runs.get(meta["uid"])
        if phase in kubevirt.FINAL:
            self.runs.pop(meta["uid"], None)
            if kubevirt.MIGRATION_FINALIZER in (meta.get("finalizers") or []):
                self._mutate_vmim(m, _drop_finalizer)
            return
        if meta.get("deletionTimestamp"):
            return self._abort(m, run, now)
        if phase == "":
            return self._set_phase(m, "Pending")
        try:
            vmi = self.store.get(kubevirt.VMI, meta["namespace"], m["spec"]["vmiName"])
        except ApiError:
            return self._finish(m, None, run, now, "the VMI no longer exists")
        if phase == "Pending":
            return self._try_start(m, vmi, config, now)
        if run is None:
            return self._finish(m, vmi, None, now, "migration state lost (twin reset)")
        if phase == "Scheduling":
            return self._schedule(m, vmi, run, now)
        if phase in NEXT:
            if now - run.since >= STEP_SECONDS[phase]:
                self._advance(m, vmi, run, NEXT[phase], now)
            return
        self._copy(m, vmi, run, config, now, dt)

    # --- phases ------------------------------------------------------------------------
    def _try_start(self, m, vmi, config, now):
        status = vmi.get("status") or {}
        source = status.get("nodeName", "")
        if status.get("phase") != "Running":
            return  # KubeVirt waits for the VMI to run
        if self._load["cluster"] >= int(config["parallelMigrationsPerCluster"]) or \
                self._load["outbound"][source] >= int(config["parallelOutboundMigrationsPerNode"]):
            return  # over a limit: stays Pending
        self._load["cluster"] += 1
        self._load["outbound"][source] += 1
        ns = m["metadata"]["namespace"]
        pod = launcher_pod(ns, vmi["metadata"]["name"], "", _memory_request(vmi), phase="Pending")
        pod["metadata"]["labels"]["kubevirt.io/migrationJobUID"] = m["metadata"]["uid"]
        pod = self.store.create(kubevirt.POD, pod)
        self.runs[m["metadata"]["uid"]] = Run(ns, m["metadata"]["name"], vmi["metadata"]["name"],
                                              source, now, target_pod=pod["metadata"]["name"],
                                              memory=kubevirt.memory_bytes(vmi))
        self._set_phase(m, "Scheduling")

    def _schedule(self, m, vmi, run, now):
        if now - run.since < STEP_SECONDS["Scheduling"]:
            return
        reserved = Counter()
        for other in self.runs.values():
            if other.target:
                reserved[other.target] += other.memory
        target, considered = scheduler.pick(self.store, vmi, run.source,
                                            m["spec"].get("addedNodeSelector"), reserved)
        if target is None:
            if now - run.since > UNSCHEDULABLE_TIMEOUT:
                return self._finish(m, vmi, run, now, "target pod is unschedulable: 0/"
                                    f"{considered} nodes are available")
            if "scheduling" not in run.warned:
                run.warned.add("scheduling")
                pod = self.store.get(kubevirt.POD, run.namespace, run.target_pod)
                events.record(self.store, pod, "Warning", "FailedScheduling",
                              f"0/{considered} nodes are available: no node matches the "
                              "migration target's memory, CPU model and node selector",
                              component="default-scheduler")
            return
        run.target = target
        self.store.mutate(kubevirt.POD, run.namespace, run.target_pod,
                          lambda p: p["spec"].__setitem__("nodeName", target))
        state = {"migrationUid": m["metadata"]["uid"], "sourceNode": run.source,
                 "targetNode": target, "targetPod": run.target_pod,
                 "sourcePod": self._source_pod(vmi, run.source), "mode": "PreCopy",
                 "migrationConfiguration": _public_config(self.store)}
        vmi = self._mutate_vmi(vmi, lambda v: v["status"].__setitem__("migrationState", state))
        self._advance(m, vmi, run, "Scheduled", now)

    def _advance(self, m, vmi, run, phase, now):
        run.since = now
        if phase == "Running":
            run.copy = physics.PreCopy(run.memory)
            run.started = run.last_progress = now
            stamp = self.clock.stamp()
            self.store.mutate(kubevirt.POD, run.namespace, run.target_pod,
                              lambda p: p["status"].__setitem__("phase", "Running"))
            vmi = self._mutate_vmi(vmi, lambda v: v["status"]["migrationState"].__setitem__(
                "startTimestamp", stamp))
        self._set_phase(m, phase, vmi=vmi)

    def _copy(self, m, vmi, run, config, now, dt):
        run.bandwidth = self._bandwidth(run, config)
        dirty = float((vmi["metadata"].get("annotations") or {}).get(
            kubevirt.DIRTY_RATE_ANNOTATION, 0)) * MIB
        done = run.copy.step(dt, run.bandwidth, dirty)
        key = (run.namespace, run.vmi)
        if key in self.fail_next and run.copy.transferred >= run.memory / 2:
            self.fail_next.discard(key)
            return self._finish(m, vmi, run, now, "Live migration failed: operation failed: "
                                "migration out job: unexpectedly failed (injected by the twin)")
        if done:
            return self._finish(m, vmi, run, now, None)
        if run.copy.remaining < run.best_remaining - 1:
            run.best_remaining, run.last_progress = run.copy.remaining, now
        progress_timeout = int(config["progressTimeout"])
        if progress_timeout and now - run.last_progress > progress_timeout:
            return self._finish(m, vmi, run, now, f"Live migration stuck for {progress_timeout} "
                                "sec and has been aborted")
        per_gib = int(config["completionTimeoutPerGiB"])
        allowed = per_gib * max(1.0, run.memory / GIB)
        if per_gib and now - run.started > allowed and not run.copy.post_copy:
            if config.get("allowPostCopy"):
                run.copy.switch_to_post_copy()
                self._mutate_vmi(vmi, lambda v: v["status"]["migrationState"].__setitem__(
                    "mode", "PostCopy"))
                return
            return self._finish(m, vmi, run, now, f"Live migration is not completed after "
                                f"{int(allowed)} sec and has been aborted")

    def _abort(self, m, run, now):
        """DELETE of an unfinished VMIM: fail it before hand-off, cancel the copy after."""
        ns = m["metadata"]["namespace"]
        vmi = self._vmi_or_none(ns, m["spec"].get("vmiName", ""))
        if run is None or run.copy is None:
            return self._finish(m, vmi, run, now, "Migration aborted by user request",
                                abort=True)
        if run.abort_since is None:
            run.abort_since = now
            self._mutate_vmim(m, _abort_condition(self.clock.stamp()))
            if vmi is not None:
                self._mutate_vmi(vmi, lambda v: v["status"]["migrationState"].update(
                    abortRequested=True, abortStatus="Aborting"))
        elif now - run.abort_since >= ABORT_SECONDS:
            self._finish(m, vmi, run, now, "Live migration aborted by user request", abort=True)

    def _finish(self, m, vmi, run, now, failure, abort=False):
        stamp = self.clock.stamp()
        if failure and run is not None and run.target_pod:
            self._delete_quietly(kubevirt.POD, run.namespace, run.target_pod)
        if vmi is not None and (vmi["status"].get("migrationState") or {}).get(
                "migrationUid") == m["metadata"]["uid"]:
            def settle(v):
                state = v["status"]["migrationState"]
                state.update(endTimestamp=stamp, completed=True, failed=bool(failure))
                if failure:
                    state["failureReason"] = failure
                if abort:
                    state.update(abortRequested=True, abortStatus="Succeeded")
                if not failure:
                    v["status"]["nodeName"] = run.target
                    v["metadata"].setdefault("labels", {})[kubevirt.NODE_NAME_LABEL] = run.target
                    v["status"].pop("evacuationNodeName", None)
            vmi = self._mutate_vmi(vmi, settle)
            if not failure:
                self._delete_quietly(kubevirt.POD, run.namespace,
                                     self._source_pod(vmi, run.source))
        if abort:
            self._mutate_vmim(m, _abort_condition(stamp))
        self._set_phase(m, "Failed" if failure else "Succeeded", vmi=vmi)
        self.runs.pop(m["metadata"]["uid"], None)
        if failure:
            events.record(self.store, m, "Warning", "FailedMigration", failure)
        else:
            events.record(self.store, m, "Normal", "SuccessfulMigration",
                          "Source node reported migration succeeded")
            events.record(self.store, vmi, "Normal", "Migrated",
                          f"The VirtualMachineInstance migrated to node {run.target}.",
                          component="virt-handler")

    # --- helpers -----------------------------------------------------------------------
    def _bandwidth(self, run, config):
        """Bytes/s for this copy: the per-migration cap, and a fair share of each host's NIC."""
        cap = quantity.parse(config.get("bandwidthPerMigration")) or float("inf")
        running = [r for r in self.runs.values() if r.copy is not None]
        out_share = self._node_bandwidth(run.source) / sum(r.source == run.source for r in running)
        in_share = self._node_bandwidth(run.target) / sum(r.target == run.target for r in running)
        return min(cap, out_share, in_share)

    def _node_bandwidth(self, name):
        try:
            node = self.store.get(kubevirt.NODE, "", name)
        except ApiError:
            return self.bandwidth
        value = (node["metadata"].get("annotations") or {}).get("vmops.twin/bandwidth-mibps")
        return float(value) * MIB if value else self.bandwidth

    def _source_pod(self, vmi, node):
        pods, _ = self.store.list(kubevirt.POD, vmi["metadata"]["namespace"], lambda p: (
            p["metadata"]["labels"].get(kubevirt.LAUNCHER_VM_LABEL) == vmi["metadata"]["name"]
            and p["spec"].get("nodeName") == node))
        return pods[0]["metadata"]["name"] if pods else ""

    def _set_phase(self, m, phase, vmi=None):
        stamp = self.clock.stamp()
        state = ((vmi or {}).get("status") or {}).get("migrationState")

        def change(obj):
            status = obj.setdefault("status", {})
            status["phase"] = phase
            status.setdefault("phaseTransitionTimestamps", []).append(
                {"phase": phase, "phaseTransitionTimestamp": stamp})
            if state and state.get("migrationUid") == obj["metadata"]["uid"]:
                status["migrationState"] = dict(state)
        self._mutate_vmim(m, change)

    def _mutate_vmim(self, m, change):
        return self.store.mutate(kubevirt.VMIM, m["metadata"]["namespace"], m["metadata"]["name"],
                                 change)

    def _mutate_vmi(self, vmi, change):
        return self.store.mutate(kubevirt.VMI, vmi["metadata"]["namespace"],
                                 vmi["metadata"]["name"], change)

    def _vmi_or_none(self, namespace, name):
        try:
            return self.store.get(kubevirt.VMI, namespace, name)
        except ApiError:
            return None

    def _delete_quietly(self, res, namespace, name):
        try:
            self.store.delete(res, namespace, name)
        except ApiError:
            pass  # already gone

    def _sync_hyperconverged(self):
        """HCO owns the KubeVirt CR: spec.liveMigrationConfig -> spec.configuration.migrations."""
        hcos, _ = self.store.list(kubevirt.HCO)
        if not hcos:
            return
        live = (hcos[0].get("spec") or {}).get("liveMigrationConfig") or {}
        kvs, _ = self.store.list(kubevirt.KUBEVIRT)
        for kv in kvs:
            current = ((kv.get("spec") or {}).get("configuration") or {}).get("migrations") or {}
            if dict(current, **live) != current:
                self.store.mutate(kubevirt.KUBEVIRT, kv["metadata"]["namespace"],
                                  kv["metadata"]["name"], lambda o: o.setdefault("spec", {})
                                  .setdefault("configuration", {})
                                  .setdefault("migrations", {}).update(live))


def _drop_finalizer(obj):
    obj["metadata"]["finalizers"] = [f for f in obj["metadata"].get("finalizers") or []
                                     if f != kubevirt.MIGRATION_FINALIZER]


def _abort_condition(stamp):
    def change(obj):
        conditions = obj.setdefault("status", {}).setdefault("conditions", [])
        if not any(c.get("type") == "migrationAbortRequested" for c in conditions):
            conditions.append({"type": "migrationAbortRequested", "status": "True",
                               "reason": "MigrationAbortRequested", "lastProbeTime": None,
                               "lastTransitionTime": stamp,
                               "message": "Migration abort was requested"})
    return change


def _memory_request(vmi):
    return quantity.gib(kubevirt.memory_bytes(vmi))


def _public_config(store):
    config = kubevirt.migration_config(store)
    return {k: config[k] for k in ("allowAutoConverge", "allowPostCopy", "bandwidthPerMigration",
                                   "completionTimeoutPerGiB", "progressTimeout")}
