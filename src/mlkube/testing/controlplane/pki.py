"""The certificates and keys a loopback control plane needs, made with ``cryptography``.

Follows kwokctl's PKI (``sigs.k8s.io/kwok/pkg/kwokctl/pki/pki.go``: RSA 2048, a self-signed
CA, PEM ``CERTIFICATE`` / ``RSA PRIVATE KEY``, NotBefore now - 24 h, NotAfter now + 100 years),
split into separate files as the reference's §4.0 recommends (and as kubeadm does):

- ``ca.crt`` / ``ca.key``: the cluster CA (client CA of the apiserver, root CA of the kubeconfig,
  ``--root-ca-file`` and cluster-signing pair of kube-controller-manager);
- ``apiserver.crt`` / ``apiserver.key``: the apiserver serving certificate (ServerAuth) with the
  in-cluster DNS names, ``localhost``, ``127.0.0.1``, ``::1`` and the first service IP;
- ``admin.crt`` / ``admin.key``: the client certificate of every component and of Python
  (ClientAuth, O ``system:masters``);
- ``sa.key`` / ``sa.pub``: the service-account signing pair (PKCS#1 private, PKIX public);
- ``tokens.csv``: one static bearer token for the same admin identity (``--token-auth-file``).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["ADMIN_GROUP", "ADMIN_USER", "CA_COMMON_NAME", "PKI", "generate_pki"]

CA_COMMON_NAME = "mlkube-ca"
ADMIN_USER = "mlkube-admin"
ADMIN_GROUP = "system:masters"
APISERVER_COMMON_NAME = "kube-apiserver"

# kwokctl's SANs minus the add-on webhook names, plus the first IP of the service range
# (10.0.0.0/24, the apiserver's default) for in-cluster clients.
APISERVER_DNS_NAMES = (
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
    "localhost",
)
APISERVER_IPS = ("127.0.0.1", "::1", "10.0.0.1")

_KEY_SIZE = 2048
_BACKDATE = datetime.timedelta(hours=24)
_VALIDITY = datetime.timedelta(days=365 * 100)


@dataclass(frozen=True)
class PKI:
    """Paths of the files written by :func:`generate_pki`, and the admin bearer token."""

    directory: Path
    ca_cert: Path
    ca_key: Path
    apiserver_cert: Path
    apiserver_key: Path
    admin_cert: Path
    admin_key: Path
    sa_key: Path
    sa_pub: Path
    tokens_csv: Path
    admin_token: str


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,  # PEM "RSA PRIVATE KEY" (PKCS#1)
        serialization.NoEncryption(),
    )


def _name(common_name: str, organizations: Sequence[str] = ()) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations]
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _builder(
    subject: x509.Name, issuer: x509.Name, key: rsa.RSAPrivateKey, now: datetime.datetime
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=True,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _write(path: Path, data: bytes, mode: int) -> None:
    path.write_bytes(data)
    os.chmod(path, mode)


def generate_pki(
    directory: Path,
    *,
    extra_dns_names: Sequence[str] = (),
    extra_ips: Sequence[str] = (),
) -> PKI:
    """Write a fresh CA, serving, client and service-account keys into ``directory``.

    Returns the paths. Keys are written 0600, certificates 0644. Existing files are replaced.
    """
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)

    # 1. The CA: self-signed, CA:TRUE, may sign certificates.
    ca_key = _new_key()
    ca_name = _name(CA_COMMON_NAME)
    ca_cert = (
        _builder(ca_name, ca_name, ca_key, now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    authority_key_id = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski)

    # 2. The apiserver's serving certificate.
    serving_key = _new_key()
    sans: list[x509.GeneralName] = [
        x509.DNSName(n) for n in (*APISERVER_DNS_NAMES, *extra_dns_names)
    ]
    sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in (*APISERVER_IPS, *extra_ips)]
    serving_cert = (
        _builder(_name(APISERVER_COMMON_NAME), ca_name, serving_key, now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(authority_key_id, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    # 3. The admin client certificate: CN is the user name, O the groups.
    admin_key = _new_key()
    admin_cert = (
        _builder(_name(ADMIN_USER, [ADMIN_GROUP]), ca_name, admin_key, now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(authority_key_id, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    # 4. The service-account signing pair.
    sa_key = _new_key()
    sa_pub = sa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )

    # 5. A static token for the same identity: token,user,uid,"group1,group2".
    token = secrets.token_hex(24)
    tokens = f'{token},{ADMIN_USER},{ADMIN_USER},"{ADMIN_GROUP}"\n'.encode()

    pem = serialization.Encoding.PEM
    pki = PKI(
        directory=directory,
        ca_cert=directory / "ca.crt",
        ca_key=directory / "ca.key",
        apiserver_cert=directory / "apiserver.crt",
        apiserver_key=directory / "apiserver.key",
        admin_cert=directory / "admin.crt",
        admin_key=directory / "admin.key",
        sa_key=directory / "sa.key",
        sa_pub=directory / "sa.pub",
        tokens_csv=directory / "tokens.csv",
        admin_token=token,
    )
    _write(pki.ca_cert, ca_cert.public_bytes(pem), 0o644)
    _write(pki.ca_key, _key_pem(ca_key), 0o600)
    _write(pki.apiserver_cert, serving_cert.public_bytes(pem), 0o644)
    _write(pki.apiserver_key, _key_pem(serving_key), 0o600)
    _write(pki.admin_cert, admin_cert.public_bytes(pem), 0o644)
    _write(pki.admin_key, _key_pem(admin_key), 0o600)
    _write(pki.sa_key, _key_pem(sa_key), 0o600)
    _write(pki.sa_pub, sa_pub, 0o644)
    _write(pki.tokens_csv, tokens, 0o600)
    return pki
