"""Fixtures of the signing tests: the CLI commands, a tenant in context, and an external TSA."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from saas.core.database import TenantContext, context
from tests import services


@pytest.fixture
def tenant_context(session):
    """Run a block inside ``tenant``, as a request of that tenant would (the ORM filter and RLS apply)."""

    def enter(tenant):
        return context(session, TenantContext(tenant_id=tenant.id))

    return enter


CERTOMANCER_YAML = """
external-url-prefix: "http://127.0.0.1:{port}"
keysets:
  remote:
    path-prefix: keys
    keys:
      root: {{path: root.key.pem}}
      tsa: {{path: tsa.key.pem}}
pki-architectures:
  remote:
    keyset: remote
    entity-defaults: {{country-name: FR, organization-name: Autorite externe de test}}
    entities:
      root: {{common-name: Racine externe}}
      tsa: {{common-name: TSA externe}}
    certs:
      root:
        subject: root
        issuer: root
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2060-01-01T00:00:00+0000"}}
        extensions:
          - {{id: basic_constraints, critical: true, value: {{ca: true}}}}
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature, key_cert_sign, crl_sign]}}
      tsa:
        issuer: root
        validity: {{valid-from: "2020-01-01T00:00:00+0000", valid-to: "2059-01-01T00:00:00+0000"}}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {{schema: key-usage, params: [digital_signature]}}
          - {{id: extended_key_usage, critical: true, value: [time_stamping]}}
    services:
      time-stamping:
        tsa: {{signing-key: tsa, signing-cert: tsa}}
"""


class ExternalTSA:
    def __init__(self, url: str, root_pem: str):
        self.url = url
        self.root_pem = root_pem


@pytest.fixture(scope="session")
def external_tsa(tmp_path_factory):
    """certomancer's ``animate`` serving an RFC 3161 authority of its own PKI on a loopback port."""
    certomancer = shutil.which("certomancer", path=str(Path(sys.executable).parent))
    assert certomancer, "certomancer is not installed (pip install 'certomancer[web-api]')"
    folder = tmp_path_factory.mktemp("certomancer")
    (folder / "keys").mkdir()
    for label in ("root", "tsa"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        (folder / "keys" / f"{label}.key.pem").write_bytes(pem)
    port = services.free_port()
    config = folder / "certomancer.yml"
    config.write_text(CERTOMANCER_YAML.format(port=port))
    root_pem = subprocess.run(
        [certomancer, "--config", str(config), "summon", "remote", "root"], check=True, capture_output=True, text=True
    ).stdout
    log = (folder / "animate.log").open("wb")
    process = subprocess.Popen(
        [certomancer, "--config", str(config), "animate", "--port", str(port), "--no-web-ui"],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"certomancer animate did not start, see {folder / 'animate.log'}") from None
                time.sleep(0.2)
        yield ExternalTSA(f"http://127.0.0.1:{port}/remote/tsa/tsa", root_pem)
    finally:
        process.terminate()
        process.wait(10)
        log.close()
