"""The docsite's RST guides are generated from the Markdown guides and kept current."""

import os
import runpy

import yaml

from tests.unit.plan_checks import ROOT

MD2RST = runpy.run_path(os.path.join(ROOT, "docs", "md2rst.py"))


def test_rst_guides_are_current():
    for name, text in MD2RST["render_all"](ROOT).items():
        with open(os.path.join(ROOT, "docs", "docsite", "rst", name + ".rst"), encoding="utf-8") as handle:
            assert handle.read() == text, "run: python docs/md2rst.py"


def test_extra_docs_list_every_rst_page():
    with open(os.path.join(ROOT, "docs", "docsite", "extra-docs.yml")) as handle:
        listed = {page for section in yaml.safe_load(handle)["sections"] for page in section["toctree"]}
    pages = {name[:-4] for name in os.listdir(os.path.join(ROOT, "docs", "docsite", "rst")) if name.endswith(".rst")}
    assert listed == pages == set(MD2RST["GUIDES"])


def test_inline_markup_is_separated_from_words():
    assert MD2RST["inline"]("`kubevirt_migrate`'s and `a`s **b**c") == "``kubevirt_migrate``'s and ``a``\\ s **b**\\ c"
