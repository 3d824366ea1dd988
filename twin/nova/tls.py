"""HTTPS for the Nova twin (``up --tls``): a throw-away CA in the state dir and cheroot's TLS adapter."""
import os

from twin.kube import tls as certificates

def create(state_dir):
    """Write the CA and the 127.0.0.1 server certificate under STATE_DIR/tls; return their paths."""
    directory = os.path.join(state_dir, "tls")
    os.makedirs(directory, exist_ok=True)
    return certificates.create(directory, ca_name="vmops-nova-twin-ca")


def adapter(paths):
    """The cheroot adapter that serves with the server certificate of ``paths``."""
    from cheroot.ssl.builtin import BuiltinSSLAdapter

    return BuiltinSSLAdapter(paths["server.crt"], paths["server.key"])
