"""AWX job templates against the roles: every survey question feeds a role option of the same type and choices.

awx/playbook_vars.yml maps the playbooks' short extra vars (drain_hosts, objective, ...) to role options;
it is checked against the playbooks themselves, so neither side can drift without a failing test.
"""

import copy
import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AWX = os.path.join(ROOT, "awx")

# survey question type -> argument spec types it can feed (text is split on commas for lists,
# "true"/"false" choices are converted to bool by the argument spec)
COMPATIBLE = {
    "text": {"str", "list", "path"},
    "textarea": {"str", "list"},
    "password": {"str"},
    "integer": {"int", "float"},
    "float": {"float"},
    "multiplechoice": {"str", "bool"},
    "multiselect": {"list"},
}
BOOL_CHOICES = ["true", "false"]


def _load(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


def _role_specs(role):
    return _load("roles", role, "meta", "argument_specs.yml")["argument_specs"]


def _entry_point(template):
    return "undrain" if (template.get("extra_vars") or {}).get("undrain") else "main"


def _choices(value):
    """Survey choices come as a list or as newline-separated text."""
    if isinstance(value, str):
        value = value.splitlines()
    return [str(choice) for choice in value or []]


def _as_bool(text):
    return {"true": True, "false": False}[str(text).lower()]


def survey_problems(templates, playbook_vars):
    """Every mismatch between the surveys and the role options they feed, as sentences."""
    problems = []
    for template in templates:
        playbook = os.path.basename(template["playbook"])
        mapping = playbook_vars["playbooks"].get(playbook)
        if mapping is None:
            problems.append("%s: playbook %s is not in awx/playbook_vars.yml" % (template["name"], playbook))
            continue
        options = _role_specs(mapping["role"])[_entry_point(template)]["options"]
        for question in template["survey_spec"]["spec"]:
            problems += _question_problems(template["name"], question, mapping, options)
    return problems


def _question_problems(where, question, mapping, options):
    variable, kind = question["variable"], question["type"]
    where = "%s: %s" % (where, variable)
    option_name = (mapping.get("passes") or {}).get(variable, variable)
    option = options.get(option_name)
    if option is None:
        return ["%s: no role option %s and no playbook mapping to one" % (where, option_name)]
    problems = []
    spec_type = option.get("type", "str")
    if spec_type not in COMPATIBLE.get(kind, set()):
        problems.append("%s: survey type %s cannot feed option %s of type %s" % (where, kind, option_name, spec_type))
    choices = _choices(question.get("choices"))
    if spec_type == "bool":
        if kind != "multiplechoice" or sorted(choices) != sorted(BOOL_CHOICES):
            problems.append("%s: a bool option needs a multiplechoice of true/false" % where)
        elif "default" in question and "default" in option and _as_bool(question["default"]) != option["default"]:
            problems.append("%s: default %s differs from the role's %s" % (where, question["default"], option["default"]))
    elif option.get("choices"):
        if kind not in ("multiplechoice", "multiselect") or sorted(choices) != sorted(str(c) for c in option["choices"]):
            problems.append("%s: choices %s differ from the role's %s" % (where, choices, option["choices"]))
    elif kind in ("multiplechoice", "multiselect"):
        problems.append("%s: choices %s for option %s that has none" % (where, choices, option_name))
    if choices and "default" in question and str(question["default"]) not in choices:
        problems.append("%s: default %s is not a choice" % (where, question["default"]))
    if option.get("required") and not question.get("required"):
        problems.append("%s: option %s is required, the question is not" % (where, option_name))
    if kind in ("integer", "float") and "default" in question:
        if not question.get("min", float("-inf")) <= question["default"] <= question.get("max", float("inf")):
            problems.append("%s: default %s outside %s..%s" % (where, question["default"], question.get("min"), question.get("max")))
        if "default" in option and float(option["default"]) != float(question["default"]):
            problems.append("%s: default %s differs from the role's %s" % (where, question["default"], option["default"]))
    return problems


@pytest.fixture(name="templates")
def templates_fixture():
    return _load("awx", "job_templates.yml")["controller_templates"]


@pytest.fixture(name="playbook_vars")
def playbook_vars_fixture():
    return _load("awx", "playbook_vars.yml")


def test_every_survey_variable_feeds_a_role_option_of_the_same_type(templates, playbook_vars):
    assert survey_problems(templates, playbook_vars) == []


def test_the_workflows_each_have_a_template_with_a_survey(templates):
    playbooks = {(os.path.basename(t["playbook"]), _entry_point(t)) for t in templates if t["survey_spec"]["spec"]}
    assert playbooks == {("drain_compute.yml", "main"), ("drain_compute.yml", "undrain"), ("evacuate_compute.yml", "main"),
                         ("rebalance_compute.yml", "main"), ("drain_kubevirt_node.yml", "main"),
                         ("drain_kubevirt_node.yml", "undrain")}
    for template in templates:
        assert template["survey_enabled"] and os.path.exists(os.path.join(ROOT, template["playbook"]))
        variables = [q["variable"] for q in template["survey_spec"]["spec"]]
        assert len(variables) == len(set(variables)), template["name"]


def test_drain_surveys_ask_for_limits_dry_run_blocked_and_stall_policy(templates, playbook_vars):
    drain = next(t for t in templates if t["name"] == "vmops drain compute hosts")
    fed = {playbook_vars["playbooks"]["drain_compute.yml"]["passes"].get(q["variable"], q["variable"])
           for q in drain["survey_spec"]["spec"]}
    assert {"drain_node_hosts", "drain_node_dry_run", "drain_node_allow_blocked", "drain_node_on_stall",
            "drain_node_per_source", "drain_node_per_target", "drain_node_per_cluster"} <= fed


def test_a_renamed_survey_variable_is_caught(templates, playbook_vars):
    renamed = copy.deepcopy(templates)
    question = next(q for t in renamed for q in t["survey_spec"]["spec"] if q["variable"] == "drain_node_on_stall")
    question["variable"] = "drain_node_stall_policy"
    assert survey_problems(renamed, playbook_vars) == [
        "vmops drain compute hosts: drain_node_stall_policy: no role option drain_node_stall_policy and no playbook mapping to one"]
    short = next(q for t in renamed for q in t["survey_spec"]["spec"] if q["variable"] == "max_cpu_util")
    short["variable"] = "cpu_limit"
    assert any("cpu_limit" in problem for problem in survey_problems(renamed, playbook_vars))


def test_a_changed_type_or_choice_is_caught(templates, playbook_vars):
    changed = copy.deepcopy(templates)
    for template in changed:
        for question in template["survey_spec"]["spec"]:
            if question["variable"] == "objective":
                question["choices"] = ["threshold", "spread"]
            if question["variable"] == "drain_node_stall_timeout":
                question["type"] = "float"
            if question["variable"] == "evacuate_dry_run":
                question.update(type="text", choices=None)
    problems = survey_problems(changed, playbook_vars)
    assert {p.split(": ")[1] for p in problems} == {"objective", "drain_node_stall_timeout", "evacuate_dry_run"}, problems
    assert any("objective: choices" in p for p in problems) and any("survey type float" in p for p in problems)


def _role_vars(play):
    """(role, {option: jinja text}) for each role a play includes, through roles: or include_role."""
    found = []
    for entry in play.get("roles") or []:
        found.append((entry["role"], entry.get("vars") or {}))
    for task in play.get("tasks") or []:
        include = task.get("ansible.builtin.include_role")
        if include:
            found.append((include["name"], task.get("vars") or {}))
    return [(role.split(".")[-1], variables) for role, variables in found]


@pytest.mark.parametrize("playbook", ["drain_compute.yml", "evacuate_compute.yml", "rebalance_compute.yml",
                                      "drain_kubevirt_node.yml"])
def test_playbook_vars_match_what_the_playbook_passes(playbook, playbook_vars):
    mapping = playbook_vars["playbooks"][playbook]
    passed = {}
    for play in _load("playbooks", playbook):
        for role, variables in _role_vars(play):
            assert role == mapping["role"]
            for option, text in variables.items():
                match = re.match(r"\{\{\s*(\w+)", str(text))
                if match and match.group(1) != option:
                    passed[match.group(1)] = option
    assert passed == (mapping.get("passes") or {})
    options = _role_specs(mapping["role"])["main"]["options"]
    assert set(passed.values()) <= set(options)
    source = open(os.path.join(ROOT, "playbooks", playbook)).read()
    for control in mapping.get("controls") or {}:
        assert re.search(r"\b%s\b" % control, source), "%s does not use %s" % (playbook, control)


def test_credential_types_inject_what_the_modules_read():
    types = {t["name"]: t for t in _load("awx", "credential_types.yml")["controller_credential_types"]}
    openstack = types["vmops OpenStack clouds.yaml"]["injectors"]
    assert openstack["env"]["OS_CLIENT_CONFIG_FILE"] == "{{ tower.filename.clouds_yaml }}"
    assert "clouds_yaml" in openstack["file"]["template.clouds_yaml"] and openstack["extra_vars"] == {"vmops_cloud": "{{ cloud }}"}
    kube_env = set(types["vmops Kubernetes kubeconfig"]["injectors"]["env"]) | set(types["vmops Kubernetes bearer token"]["injectors"]["env"])
    assert kube_env == {"K8S_AUTH_KUBECONFIG", "K8S_AUTH_HOST", "K8S_AUTH_API_KEY", "K8S_AUTH_SSL_CA_CERT", "K8S_AUTH_VERIFY_SSL"}
    with open(os.path.join(ROOT, "plugins", "module_utils", "kubernetes.py")) as handle:
        module_utils = handle.read()
    assert all(name in module_utils for name in kube_env)
    for credential_type in types.values():
        fields = {field["id"] for field in credential_type["inputs"]["fields"]}
        used = set(re.findall(r"\{\{\s*(\w+)", yaml.safe_dump(credential_type["injectors"]))) - {"tower"}
        assert used <= fields, credential_type["name"]
    for template in _load("awx", "job_templates.yml")["controller_templates"]:
        assert set(template["vmops_credential_types"]) <= set(types)


def test_apply_playbook_uses_fully_qualified_module_names():
    plays = _load("awx", "apply.yml")
    modules = []
    for play in plays:
        for name in play.get("vars_files") or []:
            assert os.path.exists(os.path.join(AWX, name))
        for task in play["tasks"]:
            modules += [key for key in task if key not in ("name", "loop", "loop_control", "when", "register", "vars")]
    assert modules and all(re.match(r"^(awx\.awx|ansible\.builtin)\.\w+$", module) for module in modules), modules
    assert {"awx.awx.credential_type", "awx.awx.job_template"} <= set(modules)
