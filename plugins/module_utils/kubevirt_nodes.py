# -*- coding: utf-8 -*-
# Copyright: vmops.migration developers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""kubevirt_node: cordon and uncordon a node (spec.unschedulable), marking who cordoned it.

Cordoning, not KubeVirt's `kubevirt.io/drain` taint: the taint makes virt-controller evacuate
the node's VMIs by itself, outside the limits and checks of kubevirt_migrate.
"""

from __future__ import annotations

from ansible_collections.vmops.migration.plugins.module_utils.errors import InputError, NotFound
from ansible_collections.vmops.migration.plugins.module_utils.kubevirt_adapter import KubeVirtCluster

ARGUMENT_SPEC = {
    "name": {"type": "str", "required": True},
    "state": {"type": "str", "choices": ["cordoned", "uncordoned"], "default": "cordoned"},
    "reason": {"type": "str"},
    "only_ours": {"type": "bool", "default": False},
}
CORDONED_BY = "vmops.io/cordoned-by"


def set_schedulable(module):
    params = module.params
    cluster = KubeVirtCluster(module.api)
    try:
        node = cluster.node(params["name"])
    except NotFound as error:
        raise InputError("name", str(error)) from error
    annotations = node["metadata"].get("annotations") or {}
    was_cordoned = bool((node.get("spec") or {}).get("unschedulable"))
    cordon = params["state"] == "cordoned"
    result = {"name": params["name"], "cordoned_before": was_cordoned, "cordoned_by": annotations.get(CORDONED_BY)}
    if not cordon and params["only_ours"] and was_cordoned and CORDONED_BY not in annotations:
        return dict(result, changed=False, cordoned=True,
                    msg="left cordoned: it was not cordoned by this collection (only_ours=true)")
    if cordon == was_cordoned:
        return dict(result, changed=False, cordoned=was_cordoned)
    result.update(changed=True, cordoned=cordon, diff={"before": {"unschedulable": was_cordoned},
                                                       "after": {"unschedulable": cordon}})
    if not module.check_mode:
        marker = "vmops.migration" + (":" + params["reason"] if params["reason"] else "") if cordon else None
        cluster.patch_node(params["name"], {"spec": {"unschedulable": True if cordon else None},
                                            "metadata": {"annotations": {CORDONED_BY: marker}}})
    return result
