"""Stand-in for the pip bootstrap script ansible-test downloads from its own file host.

These machines reach package registries only, so ansible-test's download fails. ansible-test
runs this file with the arguments of a `pip install` (e.g. `pip==24.2 --no-setuptools`):
install the interpreter's bundled pip, then let pip install what was asked for from the index.
"""

import ensurepip
import importlib
import os
import runpy
import sys

config = os.environ.get("PIP_CONFIG_FILE")
ensurepip.bootstrap()
# ensurepip hides pip's configuration (index, certificates) from itself; give it back.
if config is None:
    os.environ.pop("PIP_CONFIG_FILE", None)
else:
    os.environ["PIP_CONFIG_FILE"] = config
importlib.invalidate_caches()
arguments = [argument for argument in sys.argv[1:] if argument not in ("--no-setuptools", "--no-wheel")]
sys.argv = ["pip", "install"] + arguments
runpy.run_module("pip", run_name="__main__", alter_sys=True)
