"""The clouds.yaml the twin writes for openstacksdk and the openstack CLI."""
import json

CLOUD = "vmops-twin"
COMPUTE_API_VERSION = "2.96"
PLACEMENT_API_VERSION = "1.39"


def clouds(compute_url, placement_url, identity_url, project):
    overrides = {
        "region_name": "RegionOne",
        "compute_endpoint_override": compute_url,
        "placement_endpoint_override": placement_url,
        "identity_endpoint_override": identity_url,
        "compute_api_version": COMPUTE_API_VERSION,
        "placement_api_version": PLACEMENT_API_VERSION,
    }
    return {"clouds": {
        CLOUD: {"auth_type": "admin_token", "auth": {"endpoint": compute_url, "token": "admin:" + project}, **overrides},
        # openstacksdk only: the CLI needs a usable identity token to list servers.
        CLOUD + "-noauth": {"auth_type": "none", **overrides},
    }}


def write(path, compute_url, placement_url, identity_url, project):
    # JSON is valid YAML, and the twin must not depend on a YAML writer.
    with open(path, "w", encoding="utf-8") as f:
        json.dump(clouds(compute_url, placement_url, identity_url, project), f, indent=2)
        f.write("\n")
