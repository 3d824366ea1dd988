"""Module connection options for the Nova twin's identity stand-in (twin/nova/identity.py)."""
import json


def cloud_without_auth(twin):
    """The twin's cloud entry without credentials or CA, as a dict: what a clouds.yaml holds besides secrets."""
    with open(twin.clouds_yaml, encoding="utf-8") as handle:
        entry = json.load(handle)["clouds"][twin.cloud]
    return {key: value for key, value in entry.items() if key not in ("auth", "auth_type")}


def password_auth(twin, password):
    """auth_type and auth for a Keystone password login; the twin refuses only twin-wrong-secret."""
    return {"auth_type": "password", "auth": {
        "auth_url": twin.info["endpoints"]["identity"], "username": "admin", "password": password,
        "project_name": "admin", "user_domain_name": "Default", "project_domain_name": "Default"}}


def application_credential_auth(twin, secret):
    return {"auth_type": "v3applicationcredential", "auth": {
        "auth_url": twin.info["endpoints"]["identity"], "application_credential_id": "vmops-ops",
        "application_credential_secret": secret}}


def token_auth(twin, token):
    """A token sent as is to nova-api; the twin refuses only twin-expired-token."""
    return {"auth_type": "admin_token", "auth": {"endpoint": twin.compute_url, "token": token}}
