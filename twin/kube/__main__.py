"""python -m twin.kube up|down --state-dir DIR ...  (see DESIGN.md, "The local twin")."""
import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time

from . import auth, fleet, kubeconfig, tls
from .server import Twin

STATE_FILE = "twin.json"


def _parser():
    parser = argparse.ArgumentParser(prog="python -m twin.kube")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the twin on 127.0.0.1")
    up.add_argument("--state-dir", required=True)
    up.add_argument("--port", type=int, default=0, help="0 picks a free port")
    up.add_argument("--tls", action="store_true", help="serve HTTPS with a fresh CA")
    up.add_argument("--fleet", help="fleet JSON file (see twin/kube/fleet.py)")
    up.add_argument("--nodes", type=int, default=4)
    up.add_argument("--vmis-per-node", type=int, default=12)
    up.add_argument("--time-factor", type=float, default=1.0)
    up.add_argument("--bandwidth-mibps", type=float, default=1000.0,
                    help="default NIC bandwidth per node for migrations")
    up.add_argument("--tokens", help="tokens file; default: admin, viewer, migrator")
    up.add_argument("--history", type=int, default=2000, help="events kept for watch resume")
    up.add_argument("--detach", action="store_true", help="run in the background")
    up.add_argument("--verbose", action="store_true")
    down = sub.add_parser("down", help="stop a twin started with --state-dir")
    down.add_argument("--state-dir", required=True)
    return parser


def _state_path(state_dir):
    return os.path.join(state_dir, STATE_FILE)


def up(args):
    os.makedirs(args.state_dir, exist_ok=True)
    if args.detach:
        return _detach(args)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    tokens_path = args.tokens or os.path.join(args.state_dir, "tokens.json")
    if not os.path.exists(tokens_path):
        auth.save(tokens_path, auth.default_tokens())
    tokens = auth.load(tokens_path)
    spec = fleet.load(args.fleet) if args.fleet else fleet.generate(args.nodes, args.vmis_per_node)
    twin = Twin(spec, tokens, args.time_factor, args.bandwidth_mibps, args.history)
    certs = tls.create(args.state_dir) if args.tls else {}
    url = twin.start(port=args.port, certfile=certs.get("server.crt"),
                     keyfile=certs.get("server.key"))
    kube_path = os.path.join(args.state_dir, "kubeconfig")
    users = kubeconfig.write(kube_path, url, tokens, certs.get("ca.crt"))
    state = {"url": url, "pid": os.getpid(), "kubeconfig": kube_path, "tokens": users,
             "ca": certs.get("ca.crt"), "tokensFile": tokens_path}
    tmp = _state_path(args.state_dir) + ".tmp"
    with open(tmp, "w") as f:
        json.dump(state, f, indent=2)
    os.replace(tmp, _state_path(args.state_dir))  # appears whole: readers poll for it
    print(url, flush=True)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    twin.stop()
    os.unlink(_state_path(args.state_dir))
    return 0


def _detach(args):
    argv = [a for a in sys.argv[1:] if a != "--detach"]
    if os.path.exists(_state_path(args.state_dir)):
        os.unlink(_state_path(args.state_dir))
    with open(os.path.join(args.state_dir, "twin.log"), "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "twin.kube"] + argv, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if os.path.exists(_state_path(args.state_dir)):
            with open(_state_path(args.state_dir)) as f:
                print(json.load(f)["url"])
            return 0
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    print(f"twin did not start; see {args.state_dir}/twin.log", file=sys.stderr)
    return 1


def down(args):
    path = _state_path(args.state_dir)
    if not os.path.exists(path):
        print("no twin running for this state dir", file=sys.stderr)
        return 0
    with open(path) as f:
        pid = json.load(f)["pid"]
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        os.unlink(path)
        return 0
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and os.path.exists(path):
        time.sleep(0.05)
    return 0 if not os.path.exists(path) else 1


def main(argv=None):
    args = _parser().parse_args(argv)
    return up(args) if args.command == "up" else down(args)


if __name__ == "__main__":
    sys.exit(main())
