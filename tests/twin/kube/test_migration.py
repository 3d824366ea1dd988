"""The migration controller: phases, placement, abort on DELETE, timeouts, injected failures."""
import pytest
from kubernetes import watch
from kubernetes.client.rest import ApiException

from .conftest import GROUP, NS, VERSION, VMIMS, get_vmi, get_vmim, migrate, wait_for, wait_phase

PHASES = ["Pending", "Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running",
          "Succeeded"]


def phases_seen(custom, made, until, timeout=20):
    """Phases of a migration from its creation on (watch resumed at its resourceVersion)."""
    seen = []
    for event in watch.Watch().stream(custom.list_namespaced_custom_object, GROUP, VERSION, NS,
                                      VMIMS, field_selector=f"metadata.name={made['metadata']['name']}",
                                      resource_version=made["metadata"]["resourceVersion"],
                                      timeout_seconds=timeout):
        phase = event["object"].get("status", {}).get("phase")
        if phase and (not seen or seen[-1] != phase):
            seen.append(phase)
        if phase in until or event["type"] == "DELETED":
            return seen, event
    return seen, None


def set_live_migration_config(custom, **config):
    custom.patch_namespaced_custom_object(
        "hco.kubevirt.io", "v1beta1", "kubevirt-hyperconverged", "hyperconvergeds",
        "kubevirt-hyperconverged", {"spec": {"liveMigrationConfig": config}})
    wait_for(lambda: all(custom.get_namespaced_custom_object(
        GROUP, VERSION, "kubevirt-hyperconverged", "kubevirts", "kubevirt-kubevirt-hyperconverged")
        ["spec"]["configuration"]["migrations"].get(k) == v for k, v in config.items()))



def test_migration_runs_to_success_on_another_node(custom, core):
    made = migrate(custom, "vm-01-01")
    name = made["metadata"]["name"]
    seen, _ = phases_seen(custom, made, ("Succeeded", "Failed"))
    assert seen == PHASES
    vmim = wait_for(lambda: (lambda m: m if not m["metadata"].get("finalizers") else None)(
        get_vmim(custom, name)))
    assert [p["phase"] for p in vmim["status"]["phaseTransitionTimestamps"]] == PHASES
    vmi = get_vmi(custom, "vm-01-01")
    state = vmi["status"]["migrationState"]
    assert vmi["status"]["nodeName"] != "node-01"
    assert vmi["metadata"]["labels"]["kubevirt.io/nodeName"] == vmi["status"]["nodeName"]
    assert state["sourceNode"] == "node-01" and state["targetNode"] == vmi["status"]["nodeName"]
    assert state["completed"] is True and state["failed"] is False and state["mode"] == "PreCopy"
    assert state["migrationUid"] == made["metadata"]["uid"]
    assert state["startTimestamp"] <= state["endTimestamp"]
    assert vmim["status"]["migrationState"]["targetNode"] == state["targetNode"]
    pods = core.list_namespaced_pod(NS, label_selector="vm.kubevirt.io/name=vm-01-01").items
    assert [(p.spec.node_name, p.status.phase) for p in pods] == [(state["targetNode"], "Running")]
    reasons = {e.reason for e in core.list_namespaced_event(NS).items}
    assert {"SuccessfulMigration", "Migrated"} <= reasons


def test_added_node_selector_picks_the_target(custom):
    made = migrate(custom, "vm-01-02", addedNodeSelector={"kubernetes.io/hostname": "node-04"})
    wait_phase(custom, made["metadata"]["name"], "Succeeded")
    assert get_vmi(custom, "vm-01-02")["status"]["nodeName"] == "node-04"


def test_no_feasible_target_stays_scheduling(custom, core):
    made = migrate(custom, "vm-01-03", addedNodeSelector={"kubernetes.io/hostname": "nowhere"})
    wait_phase(custom, made["metadata"]["name"], "Scheduling")
    wait_for(lambda: any(e.reason == "FailedScheduling" for e in core.list_namespaced_event(NS).items))
    assert get_vmim(custom, made["metadata"]["name"])["status"]["phase"] == "Scheduling"


def test_delete_aborts_a_running_migration(custom, twin):
    twin.set_dirty_rate(NS, "vm-01-04", 5000)  # never converges: stays Running
    made = migrate(custom, "vm-01-04")
    name = made["metadata"]["name"]
    wait_phase(custom, name, "Running")
    custom.delete_namespaced_custom_object(GROUP, VERSION, NS, VMIMS, name)
    seen, last = phases_seen(custom, made, ())
    assert seen[-1] == "Failed" and last["type"] == "DELETED"
    conditions = {c["type"] for c in last["object"]["status"]["conditions"]}
    assert "migrationAbortRequested" in conditions
    state = get_vmi(custom, "vm-01-04")["status"]["migrationState"]
    assert state["abortRequested"] is True and state["abortStatus"] == "Succeeded"
    assert state["failed"] is True
    assert get_vmi(custom, "vm-01-04")["status"]["nodeName"] == "node-01"
    with pytest.raises(ApiException) as err:
        get_vmim(custom, name)
    assert err.value.status == 404


def test_progress_timeout_from_hyperconverged_config(custom, twin):
    set_live_migration_config(custom, progressTimeout=20)
    twin.set_dirty_rate(NS, "vm-02-01", 5000)
    made = migrate(custom, "vm-02-01")
    failed = wait_phase(custom, made["metadata"]["name"], "Failed")
    assert failed["status"]["migrationState"]["failureReason"] == \
        "Live migration stuck for 20 sec and has been aborted"
    assert get_vmi(custom, "vm-02-01")["status"]["nodeName"] == "node-02"


def test_injected_failure(custom, core, twin):
    twin.fail_next_migration(NS, "vm-02-02")
    made = migrate(custom, "vm-02-02")
    failed = wait_phase(custom, made["metadata"]["name"], "Failed")
    assert "injected" in failed["status"]["migrationState"]["failureReason"]
    assert get_vmi(custom, "vm-02-02")["status"]["nodeName"] == "node-02"
    assert any(e.reason == "FailedMigration" for e in core.list_namespaced_event(NS).items)
    again = migrate(custom, "vm-02-02")  # only the next one fails
    wait_phase(custom, again["metadata"]["name"], "Succeeded")


@pytest.mark.parametrize("post_copy, phase", [(False, "Failed"), (True, "Succeeded")])
def test_completion_timeout_fails_or_switches_to_post_copy(custom, twin, post_copy, phase):
    set_live_migration_config(custom, completionTimeoutPerGiB=1, allowPostCopy=post_copy)
    twin.set_dirty_rate(NS, "vm-02-02", 5000)  # vm-02-02 has 4Gi: 4 s allowed
    made = migrate(custom, "vm-02-02")
    done = wait_phase(custom, made["metadata"]["name"], ("Succeeded", "Failed"))
    state = done["status"]["migrationState"]
    assert done["status"]["phase"] == phase
    if post_copy:
        assert state["mode"] == "PostCopy"
    else:
        assert state["failureReason"] == "Live migration is not completed after 4 sec and has been aborted"
