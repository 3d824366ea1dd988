"""The twin's in-memory RPC transport delivers on arrival (Nova's own oslo.messaging, in the twin's venv)."""
import json
import subprocess

from tests.fixtures.nova_twin import ROOT, twin_python

CALLS = 40
# oslo.messaging's fake listeners look every 50 ms: these calls took ~2 s before the twin's transport.
CALLS_WITHIN_S = 0.5

SCRIPT = """
import json, sys, time
import oslo_messaging
from oslo_config import cfg
from oslo_messaging import conffixture
from twin.nova import messaging

messaging.deliver_on_arrival()
options = conffixture.ConfFixture(cfg.ConfigOpts())
options.setUp()
transport = oslo_messaging.get_rpc_transport(options.conf, url="fake:/")


class Endpoint:
    def __init__(self):
        self.notes = []

    def echo(self, ctxt, value):
        return value

    def note(self, ctxt, value):
        self.notes.append(value)


endpoints = {host: Endpoint() for host in ("a", "b")}
servers = [oslo_messaging.get_rpc_server(transport, oslo_messaging.Target(topic="t", server=host), [endpoint],
                                         executor="threading") for host, endpoint in endpoints.items()]
for server in servers:
    server.start()
client = oslo_messaging.get_rpc_client(transport, oslo_messaging.Target(topic="t", server="a"))
client.call({}, "echo", value=-1)
began = time.monotonic()
echoed = [client.call({}, "echo", value=i) for i in range(int(sys.argv[1]))]
calls_s = time.monotonic() - began
client.prepare(fanout=True).cast({}, "note", value="everyone")
client.prepare(server="b").cast({}, "note", value="b only")
deadline = time.monotonic() + 10
while time.monotonic() < deadline and sum(len(e.notes) for e in endpoints.values()) < 3:
    time.sleep(0.01)
for server in servers:
    server.stop()
    server.wait()
print(json.dumps({"echoed": echoed, "calls_s": calls_s, "notes": {h: e.notes for h, e in endpoints.items()}}))
"""


def test_calls_casts_and_fanout_are_delivered_on_arrival():
    done = subprocess.run([twin_python(), "-c", SCRIPT, str(CALLS)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["echoed"] == list(range(CALLS))
    assert result["calls_s"] < CALLS_WITHIN_S
    assert result["notes"] == {"a": ["everyone"], "b": ["everyone", "b only"]}
