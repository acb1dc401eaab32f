"""The served cluster's certificates: a self-signed CA and a loopback serving certificate.

TLS is not optional for token auth: client-go (so kubectl) sends a kubeconfig's credentials
only to an ``https`` server (``clientcmd/client_config.go``: "only try to read the auth
information if we are secure"). The files are made once per cluster with the ``openssl``
command (no Python dependency is needed for it), kubeadm-style: ``ca.crt``/``ca.key`` (ECDSA
P-256, CA:TRUE) and ``apiserver.crt``/``apiserver.key`` (serverAuth, SANs ``localhost``,
``127.0.0.1``, ``::1`` and the listen address), valid for 100 years.
"""

from __future__ import annotations

import ipaddress
import shutil
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = ["Certificates", "TLSUnavailable", "ensure_certificates", "server_context"]

_DAYS: Final = "36500"
_CURVE: Final = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1")


class TLSUnavailable(RuntimeError):
    """The ``openssl`` command is missing or failed."""


@dataclass(frozen=True, slots=True)
class Certificates:
    ca_cert: Path
    cert: Path
    key: Path


def _run(*args: str) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        raise TLSUnavailable("the openssl command is needed to make the cluster's certificates")
    done = subprocess.run([openssl, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise TLSUnavailable(f"openssl {args[0]} failed: {done.stderr.strip()}")


def ensure_certificates(directory: Path, address: str = "127.0.0.1") -> Certificates:
    """The cluster's CA and serving certificate under ``directory``, made if missing."""
    certs = Certificates(
        directory / "ca.crt", directory / "apiserver.crt", directory / "apiserver.key"
    )
    if certs.ca_cert.exists() and certs.cert.exists() and certs.key.exists():
        return certs
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = directory / "ca.key"
    sans = ["DNS:localhost", "IP:127.0.0.1", "IP:::1"]
    try:
        ip = ipaddress.ip_address(address)
        if f"IP:{ip}" not in sans and not ip.is_unspecified:
            sans.append(f"IP:{ip}")
    except ValueError:
        sans.append(f"DNS:{address}")
    _run(
        "req", "-x509", *_CURVE, "-nodes", "-days", _DAYS,
        "-keyout", str(ca_key), "-out", str(certs.ca_cert), "-subj", "/CN=mlkube-ca",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        csr = Path(tmp) / "apiserver.csr"
        ext = Path(tmp) / "ext.cnf"
        ext.write_text(
            f"subjectAltName={','.join(sans)}\n"
            "extendedKeyUsage=serverAuth\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "basicConstraints=CA:FALSE\n",
            encoding="utf-8",
        )
        _run(
            "req", *_CURVE, "-nodes", "-keyout", str(certs.key), "-out", str(csr),
            "-subj", "/CN=kube-apiserver",
        )  # fmt: skip
        _run(
            "x509", "-req", "-in", str(csr), "-CA", str(certs.ca_cert), "-CAkey", str(ca_key),
            "-CAcreateserial", "-out", str(certs.cert), "-days", _DAYS, "-extfile", str(ext),
        )  # fmt: skip
    for path in (ca_key, certs.key):
        path.chmod(0o600)
    serial = directory / "ca.srl"
    if serial.exists():
        serial.unlink()
    return certs


def server_context(certs: Certificates) -> ssl.SSLContext:
    """A TLS server context for the serving certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certs.cert), str(certs.key))
    return context
