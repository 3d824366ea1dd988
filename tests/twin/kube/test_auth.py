"""Bearer tokens with their own rights; SelfSubjectAccessReview answers for the caller."""
import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from .conftest import GROUP, NS, VERSION, VMIMS, migrate


def review(api_client, verb, resource="virtualmachineinstancemigrations", group=GROUP):
    body = client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(
        resource_attributes=client.V1ResourceAttributes(
            namespace=NS, verb=verb, group=group, resource=resource)))
    return client.AuthorizationV1Api(api_client).create_self_subject_access_review(body)


def test_unknown_token_is_unauthorized(twin):
    with pytest.raises(ApiException) as err:
        client.CoreV1Api(twin.api_client("not-a-token")).list_node()
    assert err.value.status == 401


def test_viewer_reads_but_cannot_migrate(twin):
    viewer = twin.api_client(twin.viewer_token)
    assert client.CoreV1Api(viewer).list_node().items
    with pytest.raises(ApiException) as err:
        migrate(client.CustomObjectsApi(viewer), "vm-01-01")
    assert err.value.status == 403
    assert 'User \\"viewer\\" cannot create resource' in err.value.body or \
        'User "viewer" cannot create resource' in err.value.body
    assert review(viewer, "create").status.allowed is False
    assert review(viewer, "list").status.allowed is True


def test_migrator_holds_kubevirt_migrate_role(twin):
    migrator = twin.api_client(twin.migrator_token)
    assert review(migrator, "create").status.allowed is True
    assert review(migrator, "delete", resource="pods").status.allowed is False
    made = migrate(client.CustomObjectsApi(migrator), "vm-01-01")
    client.CustomObjectsApi(migrator).delete_namespaced_custom_object(
        GROUP, VERSION, NS, VMIMS, made["metadata"]["name"])
    with pytest.raises(ApiException) as err:
        client.CoreV1Api(migrator).delete_namespaced_pod("anything", NS)
    assert err.value.status == 403


def test_admin_may_do_anything(admin):
    assert review(admin, "deletecollection", resource="pods", group="").status.allowed is True
