"""The twin: store, authorizer, admission, controller and the HTTP(S) server, wired together."""
import logging
import ssl
import threading
from http.server import ThreadingHTTPServer

from . import fleet as fleets
from .admission import Admission
from .api import Api
from .auth import Authorizer
from .clock import Clock
from .control import Control
from .controller import Controller
from .handler import Handler
from .store import Store

log = logging.getLogger("twin.kube")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients that hang up or refuse our certificate are normal here, not server faults.
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


class Twin:
    def __init__(self, fleet, tokens, time_factor=1.0, bandwidth_mibps=1000.0, history=2000):
        self.fleet = fleet
        self.clock = Clock(time_factor)
        self.store = Store(self.clock, history)
        self.authorizer = Authorizer(tokens)
        self.admission = Admission(self.store, self.authorizer)
        self.api = Api(self.store, self.authorizer, self.admission)
        self.controller = Controller(self.store, self.clock, bandwidth_mibps)
        self.control = Control(self)
        self.stopping = threading.Event()
        self.httpd = None
        self.reset()

    def reset(self):
        with self.controller.lock:
            self.controller.reset()
            self.store.reset(list(fleets.objects(self.fleet, self.clock.stamp())))

    def start(self, host="127.0.0.1", port=0, certfile=None, keyfile=None):
        """Listen and serve in background threads; return the base URL."""
        self.httpd = _Server((host, port), Handler)
        self.httpd.twin = self
        scheme = "http"
        if certfile:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certfile, keyfile)
            # Handshake in the request thread, so a slow or failing client blocks only itself.
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True,
                                                    do_handshake_on_connect=False)
            scheme = "https"
        threading.Thread(target=self.httpd.serve_forever, name="kube-twin-http",
                         daemon=True).start()
        self.controller.start()
        return f"{scheme}://{host}:{self.httpd.server_address[1]}"

    def stop(self):
        self.stopping.set()
        with self.store.changed:
            self.store.changed.notify_all()  # wake watches so they end
        self.controller.stop()
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
