"""A throw-away CA and a server certificate for 127.0.0.1, so clients verify like in production."""
import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(common):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _cert(subject, issuer, key, signer, ca):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
            critical=False)
    return builder.sign(signer, hashes.SHA256())


def _write(path, data, private=False):
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644),
              "wb") as f:
        f.write(data)


def create(directory, ca_name="vmops-kube-twin-ca"):
    """Write ca.crt, server.crt and server.key; return their paths."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert(_name(ca_name), _name(ca_name), ca_key, ca_key, True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _cert(_name("127.0.0.1"), ca.subject, key, ca_key, False)
    paths = {n: os.path.join(directory, n) for n in ("ca.crt", "server.crt", "server.key")}
    _write(paths["ca.crt"], ca.public_bytes(serialization.Encoding.PEM))
    _write(paths["server.crt"], cert.public_bytes(serialization.Encoding.PEM))
    _write(paths["server.key"], key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()), private=True)
    return paths
