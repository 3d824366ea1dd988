"""DIR/kubeconfig: one cluster, one context per token user (JSON is valid kubeconfig YAML)."""
import base64
import json


def write(path, url, tokens, ca_path=None):
    cluster = {"server": url}
    if ca_path:
        with open(ca_path, "rb") as f:
            cluster["certificate-authority-data"] = base64.b64encode(f.read()).decode()
    users = {entry["user"]: token for token, entry in tokens.items()}
    config = {
        "apiVersion": "v1", "kind": "Config", "preferences": {},
        "clusters": [{"name": "twin", "cluster": cluster}],
        "users": [{"name": user, "user": {"token": token}} for user, token in sorted(users.items())],
        "contexts": [{"name": f"twin-{user}", "context": {"cluster": "twin", "user": user,
                                                          "namespace": "default"}}
                     for user in sorted(users)],
        "current-context": "twin-admin" if "admin" in users else f"twin-{sorted(users)[0]}",
    }
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    return users
