"""python -m twin.nova up|down --state-dir DIR ..."""
import argparse
import json
import os
import sys

from twin.nova import launcher

DEFAULT_SEED_CACHE = os.path.join(launcher.ROOT, ".cache", "nova-twin-seeds")


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m twin.nova", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start a twin on 127.0.0.1")
    up.add_argument("--state-dir", required=True)
    up.add_argument("--computes", type=int, default=6)
    up.add_argument("--servers", type=int, default=40)
    up.add_argument("--time-factor", type=float, default=1.0,
                    help="simulated seconds per wall second in live migrations")
    up.add_argument("--port", type=int, default=0, help="nova-api port (0: any free one)")
    up.add_argument("--placement-port", type=int, default=0)
    up.add_argument("--config", help="fleet file (JSON or YAML): hosts, aggregates, flavors, servers")
    up.add_argument("--tls", action="store_true",
                    help="serve HTTPS with a fresh CA (STATE_DIR/tls/ca.crt; clients must be given it)")
    up.add_argument("--seed-cache", default=os.environ.get("VMOPS_TWIN_SEED_CACHE", DEFAULT_SEED_CACHE),
                    help="where seeded fleets are kept for a fast restart (default %(default)s)")
    up.add_argument("--no-seed-cache", dest="seed_cache", action="store_const", const="",
                    help="boot every seed server through Nova, and keep nothing")
    up.add_argument("--detach", action="store_true", help="return once the twin is ready")
    down = sub.add_parser("down", help="stop the twin serving a state dir")
    down.add_argument("--state-dir", required=True)
    return parser.parse_args(argv)


def _up_options(args):
    options = ["--computes", str(args.computes), "--servers", str(args.servers),
               "--time-factor", str(args.time_factor), "--port", str(args.port),
               "--placement-port", str(args.placement_port)]
    options += ["--tls"] if args.tls else []
    options += ["--seed-cache", os.path.abspath(args.seed_cache)] if args.seed_cache else ["--no-seed-cache"]
    return options + (["--config", os.path.abspath(args.config)] if args.config else [])


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse(argv)
    if args.command == "down":
        print("stopped" if launcher.stop(args.state_dir) else "not running")
        return 0
    if args.detach:
        info = launcher.start(args.state_dir, _up_options(args))
        print(json.dumps(info, indent=2))
        return 0
    from twin.nova import runner

    return runner.up(args)


if __name__ == "__main__":
    sys.exit(main())
