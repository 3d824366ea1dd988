"""The execution environment definition: `ansible-builder create` makes a build context with the
collection, its Python requirements and bindep. Building the image needs a container engine, so only the
context is checked."""

import json
import os
import shutil
import subprocess
import sys
import tarfile

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def _tool(name):
    path = os.path.join(BIN, name)
    return path if os.path.exists(path) else shutil.which(name)


def _pins(path):
    with open(path) as handle:
        return dict(line.strip().split("==") for line in handle if "==" in line and not line.startswith("#"))


@pytest.fixture(name="context", scope="module")
def context_fixture(tmp_path_factory):
    if not _tool("ansible-builder") or not _tool("ansible-galaxy"):
        pytest.skip("ansible-builder or ansible-galaxy not installed")
    work = tmp_path_factory.mktemp("ee")
    for name in ("execution-environment.yml", "bindep.txt", os.path.join("meta", "ee-requirements.txt")):
        os.makedirs(os.path.dirname(str(work / name)), exist_ok=True)
        shutil.copy(os.path.join(ROOT, name), str(work / name))
    built = work / ".cache" / "ee"
    subprocess.run([_tool("ansible-galaxy"), "collection", "build", "--force", "--output-path", str(built), ROOT],
                   check=True, capture_output=True)
    tarball, = [name for name in os.listdir(str(built)) if name.endswith(".tar.gz")]
    os.rename(str(built / tarball), str(built / "vmops-migration.tar.gz"))
    subprocess.run([_tool("ansible-builder"), "create", "--file", "execution-environment.yml", "--context", "context",
                    "--output-filename", "Containerfile"], cwd=str(work), check=True, capture_output=True)
    return work / "context"


def test_context_has_a_containerfile_that_installs_everything(context):
    containerfile = (context / "Containerfile").read_text()
    assert "ansible-galaxy collection install" in containerfile and "requirements.yml" in containerfile
    assert "requirements.txt" in containerfile and "bindep.txt" in containerfile
    assert "ansible-core==2.19.14" in containerfile


def test_context_has_the_python_requirements_pinned_like_dev(context):
    pins = _pins(str(context / "_build" / "requirements.txt"))
    assert set(pins) == {"openstacksdk", "kubernetes"}
    dev = _pins(os.path.join(ROOT, "requirements", "dev.txt"))
    assert all(dev[name] == version for name, version in pins.items())


def test_context_has_bindep(context):
    assert "python3.11 [platform:rpm]" in (context / "_build" / "bindep.txt").read_text()


def test_context_has_the_collection_that_requirements_yml_installs(context):
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    entry, = requirements["collections"]
    assert entry["type"] == "file" and entry["name"].startswith("/build/")
    # the Containerfile copies _build to /build
    tarball = context / "_build" / os.path.relpath(entry["name"], "/build")
    with tarfile.open(str(tarball)) as archive:
        manifest = json.load(archive.extractfile("MANIFEST.json"))
        names = archive.getnames()
    assert (manifest["collection_info"]["namespace"], manifest["collection_info"]["name"]) == ("vmops", "migration")
    assert "roles/drain_node/meta/argument_specs.yml" in names and "meta/ee-requirements.txt" in names
    assert not any(name.startswith(("twin/", "tests/", ".venv")) for name in names)
