#!/usr/bin/env bash
# The collection's docsite, offline: build and install the collection into a temporary collections
# path, then
#   docs/build.sh lint   antsibull-docs lint-collection-docs --plugin-docs on the installed tree
#   docs/build.sh html   antsibull-docs renders plugin, role and extra docs as RST, Sphinx builds HTML
# Output: .cache/docs/site/build/html/index.html (DOCS_WORK overrides .cache/docs).
# The RST is antsibull-docs' simplified-rst so that plain Sphinx with its bundled theme builds it
# (no sphinx_antsibull_ext, no theme download, intersphinx off: CI has no network).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${DOCS_WORK:-$ROOT/.cache/docs}
MODE=${1:-html}
export ANSIBLE_COLLECTIONS_PATH="$WORK/collections" ANSIBLE_NOCOLOR=1

rm -rf "$WORK" && mkdir -p "$WORK"
ansible-galaxy collection build --force --output-path "$WORK" "$ROOT" >/dev/null
ansible-galaxy collection install "$WORK"/vmops-migration-*.tar.gz -p "$WORK/collections" >/dev/null 2>&1
INSTALLED=$WORK/collections/ansible_collections/vmops/migration

case "$MODE" in
lint)
    (cd "$INSTALLED" && antsibull-docs lint-collection-docs --plugin-docs .)
    ;;
html)
    SITE=$WORK/site
    mkdir -m 700 "$SITE" "$SITE/rst"
    antsibull-docs sphinx-init --use-current --squash-hierarchy --output-format simplified-rst \
        --sphinx-theme alabaster --project vmops.migration --copyright "vmops.migration developers" \
        --title "vmops.migration" --html-short-title "vmops.migration" --dest-dir "$SITE" vmops.migration >/dev/null
    antsibull-docs --config-file "$SITE/antsibull-docs.cfg" collection --use-current --squash-hierarchy \
        --output-format simplified-rst --fail-on-error --dest-dir "$SITE/rst" vmops.migration
    python3 - "$SITE" <<'PY'
import os, re, sys
site = sys.argv[1]
conf = os.path.join(site, "conf.py")
text = open(conf).read()
# plain Sphinx: no antsibull Sphinx extension, no intersphinx (no network)
text = text.replace(", 'sphinx_antsibull_ext'", "").replace("'sphinx.ext.intersphinx', ", "")
text = re.sub(r"intersphinx_mapping = \{.*?\n\}\n", "intersphinx_mapping = {}\n", text, flags=re.S)
open(conf, "w").write(text)
rst = os.path.join(site, "rst")
pages = sorted(os.path.relpath(os.path.join(folder, name), rst)[:-4]
               for folder, _, names in os.walk(rst) for name in names if name.endswith(".rst"))
for page in pages:
    path = os.path.join(rst, page + ".rst")
    text = open(path).read()
    # simplified-rst links pages as files (<x.rst>); in the HTML site they are <x.html>
    text = re.sub(r"<([\w./-]+)\.rst(#[\w-]*)?>`_", r"<\1.html\2>`_", text)
    if page == "index":  # every page in the site's tree, so Sphinx knows them all
        text += "\n.. toctree::\n   :hidden:\n\n" + "".join("   %s\n" % other for other in pages if other != "index")
    open(path, "w").write(text)
PY
    sphinx-build -q -W --keep-going -b html -c "$SITE" "$SITE/rst" "$SITE/build/html"
    echo "docsite: $SITE/build/html/index.html ($(find "$SITE/build/html" -name '*.html' | wc -l) pages)"
    ;;
*) echo "usage: docs/build.sh lint|html" >&2; exit 2 ;;
esac
