"""Where a signer's key lives: the embedded PKI, a PKCS#12 file, a PKCS#11 token/HSM, or a remote service.

``signer_for(tenant, person)`` gives the ``Signer`` to use: the person's active production key in that
collectivity (``signer_key`` row, configured with ``quorum signing import-pkcs12`` / ``configure-pkcs11``)
or, without one, their certificate of the tenant's embedded (not qualified) PKI. Every source yields a
pyHanko signer through ``open()``, a context manager, so a PKCS#11 session is closed after each use.
"""

import abc
import base64
import contextlib
import secrets
from collections.abc import Iterator
from datetime import UTC

import sqlalchemy as sa
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.sign import signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers.csc_signer import CSCAuthorizationManager, CSCServiceSessionInfo
from pyhanko_certvalidator.registry import SimpleCertificateStore

from saas.core.database import utcnow
from saas.core.extensions import db
from saas.core.secrets import seal, unseal
from saas.identity.models import Person
from saas.tenancy.models import Tenant
from saas.trust import pki
from saas.trust.models import KeySource, SignerKey


class SignerKeyError(Exception):
    """A key that cannot be configured or used; the message is in French."""


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


class Signer(abc.ABC):
    """One signer's key, whatever holds it."""

    #: "embedded", "pkcs12", "pkcs11" or "remote"
    source: str
    #: whether the certificate may be presented as qualified (RGS**/eIDAS); never for the embedded PKI
    qualified: bool = False

    @property
    @abc.abstractmethod
    def certificate(self) -> x509.Certificate:
        """The signing certificate (known without opening the key)."""

    @abc.abstractmethod
    def open(self) -> contextlib.AbstractContextManager[signers.Signer]:
        """A pyHanko signer, valid inside the ``with`` block."""


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses its key again, with the RSA consistency check (about 0.2 s for
    RSA-3072), at every signature; this one signs with the key already loaded from the sealed row."""

    def __init__(self, private_key: rsa.RSAPrivateKey, **kwargs):
        super().__init__(**kwargs)
        self.private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        if self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo != "rsassa_pkcs1v15":
            return super().sign_raw(data, digest_algorithm)
        return self.private_key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))


class EmbeddedSigner(Signer):
    """The person's certificate of the tenant's embedded PKI (issued on first use)."""

    source = "embedded"

    def __init__(self, tenant: Tenant, person: Person):
        self.pair = pki.issue_signer_certificate(tenant, person)
        self.ca = pki.tenant_ca(tenant)

    @property
    def certificate(self) -> x509.Certificate:
        return self.pair.certificate

    @contextlib.contextmanager
    def open(self) -> Iterator[signers.Signer]:
        key = self.pair.private_key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        yield _LoadedKeySigner(
            self.pair.private_key,
            signing_cert=_asn1(self.pair.certificate),
            signing_key=asn1_keys.PrivateKeyInfo.load(key),
            cert_registry=SimpleCertificateStore.from_certs([_asn1(self.ca.certificate)]),
        )


def _purpose(row: SignerKey) -> bytes:
    return f"signer-key:{row.tenant_id}:{row.key_ref}".encode()


class PKCS12Signer(Signer):
    """A PKCS#12 file and its passphrase, both sealed in the row (production: an RGS** certificate)."""

    source = "pkcs12"
    qualified = True

    def __init__(self, row: SignerKey):
        self.row = row

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.row.certificate_pem.encode())

    @contextlib.contextmanager
    def open(self) -> Iterator[signers.Signer]:
        data = base64.b64decode(unseal(self.row.sealed_pkcs12, _purpose(self.row)))
        passphrase = unseal(self.row.sealed_secret, _purpose(self.row)).encode() if self.row.sealed_secret else None
        _, _, additional = pkcs12.load_key_and_certificates(data, passphrase)
        yield signers.SimpleSigner.load_pkcs12_data(data, [_asn1(c) for c in additional or []], passphrase)


class PKCS11Signer(Signer):
    """A key on a PKCS#11 token or HSM, found by token label and key label; the PIN is sealed in the row."""

    source = "pkcs11"
    qualified = True

    def __init__(self, row: SignerKey):
        self.row = row

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.row.certificate_pem.encode())

    @contextlib.contextmanager
    def open(self) -> Iterator[signers.Signer]:
        from pyhanko.sign import pkcs11 as pyhanko_pkcs11

        pin = unseal(self.row.sealed_secret, _purpose(self.row)) if self.row.sealed_secret else None
        session = _pkcs11_session(self.row.pkcs11_module, self.row.pkcs11_token, pin)
        try:
            yield pyhanko_pkcs11.PKCS11Signer(
                session, key_label=self.row.pkcs11_key, signing_cert=_asn1(self.certificate), other_certs_to_pull=()
            )
        finally:
            session.close()


def _pkcs11_session(module: str, token: str, pin: str | None):
    from pkcs11.exceptions import PKCS11Error
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11 as pyhanko_pkcs11

    try:
        return pyhanko_pkcs11.open_pkcs11_session(module, token_criteria=TokenCriteria(label=token), user_pin=pin)
    except (PKCS11Error, OSError, RuntimeError) as error:
        raise SignerKeyError(f"Le jeton PKCS#11 « {token} » n'a pas pu être ouvert : {error!r}") from error


class RemoteSigningService(Signer, abc.ABC):
    """Extension point for a remote qualified signing service speaking the Cloud Signature Consortium API
    (CSC v1/v2). No provider is built in: a provider subclasses this class and gives

    - ``session_info()``: the service URL, the signer's credential id and an OAuth access token
      (pyHanko's ``CSCServiceSessionInfo``), usually after an OAuth2 authorisation of the signer;
    - ``credential_certificate()``: the certificate of that credential (``credentials/info``, see
      pyHanko's ``fetch_certs_in_csc_credential``);
    - ``authorization_manager(session_info, credential_info)``: pyHanko's ``CSCAuthorizationManager``
      that obtains the SAD (``credentials/authorize``) with the signer's own second factor, which for a
      qualified service is the provider's OTP, not Quorum's;
    - ``open()``: a ``pyhanko.sign.signers.csc_signer.CSCSigner`` built from those, with an
      ``aiohttp.ClientSession`` opened and closed around the ``with`` block.

    Batch signing can reuse one SAD for several hashes (``numSignatures``) when the provider allows it.
    """

    source = "remote"
    qualified = True

    @abc.abstractmethod
    def session_info(self) -> CSCServiceSessionInfo:
        """Where the service is and which credential signs, with a valid access token."""

    @abc.abstractmethod
    def credential_certificate(self) -> x509.Certificate:
        """The certificate of the credential, as the service lists it."""

    @abc.abstractmethod
    def authorization_manager(self, session_info: CSCServiceSessionInfo, credential_info) -> CSCAuthorizationManager:
        """The object that asks the service for a signature activation datum (SAD)."""

    @property
    def certificate(self) -> x509.Certificate:
        return self.credential_certificate()


def active_key(tenant: Tenant, person: Person) -> SignerKey | None:
    return db.session.scalars(
        sa.select(SignerKey).where(
            SignerKey.tenant_id == tenant.id, SignerKey.person_id == person.id, SignerKey.replaced_at.is_(None)
        )
    ).first()


def signer_for(tenant: Tenant, person: Person) -> Signer:
    """The person's signer in ``tenant``: their production key if one is configured, else the embedded PKI."""
    row = active_key(tenant, person)
    if row is None:
        return EmbeddedSigner(tenant, person)
    if row.source == KeySource.PKCS12:
        return PKCS12Signer(row)
    return PKCS11Signer(row)


def _new_row(tenant: Tenant, person: Person, source: KeySource, certificate: x509.Certificate) -> SignerKey:
    if certificate.not_valid_after_utc <= utcnow().replace(tzinfo=UTC):
        raise SignerKeyError("Ce certificat a expiré.")
    row = SignerKey(
        tenant_id=tenant.id,
        person_id=person.id,
        source=source,
        key_ref=secrets.token_hex(16),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        subject=certificate.subject.rfc4514_string()[:500],
        not_after=certificate.not_valid_after_utc,
    )
    return row


def _activate(tenant: Tenant, person: Person, row: SignerKey) -> SignerKey:
    previous = active_key(tenant, person)
    if previous is not None:
        previous.replaced_at = utcnow()
    db.session.add(row)
    db.session.flush()
    return row


def import_pkcs12(tenant: Tenant, person: Person, data: bytes, passphrase: str | None) -> SignerKey:
    """Make the PKCS#12 ``data`` the person's key in ``tenant`` (checked: it opens, has a key and a
    certificate for signing). The file and passphrase are sealed; the previous key is kept, replaced."""
    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(data, passphrase.encode() if passphrase else None)
    except ValueError as error:
        message = "Le fichier PKCS#12 ne s'ouvre pas : fichier invalide ou phrase de passe incorrecte."
        raise SignerKeyError(message) from error
    if key is None or certificate is None:
        raise SignerKeyError("Le fichier PKCS#12 doit contenir une clé privée et son certificat.")
    row = _new_row(tenant, person, KeySource.PKCS12, certificate)
    row.sealed_pkcs12 = seal(base64.b64encode(data).decode(), _purpose(row))
    row.sealed_secret = seal(passphrase, _purpose(row)) if passphrase else None
    return _activate(tenant, person, row)


def configure_pkcs11(tenant: Tenant, person: Person, module: str, token: str, key_label: str, pin: str) -> SignerKey:
    """Make the key ``key_label`` of the PKCS#11 token ``token`` the person's key in ``tenant``. The token
    is opened now with the PIN and the certificate of the same label is read and stored."""
    from pkcs11 import Attribute, ObjectClass
    from pkcs11.exceptions import PKCS11Error

    session = _pkcs11_session(module, token, pin)
    try:
        found = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: key_label}))
        keys_found = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: key_label}))
        der = found[0][Attribute.VALUE] if found else None
    except PKCS11Error as error:
        raise SignerKeyError(f"Le jeton PKCS#11 n'a pas pu être lu : {error!r}") from error
    finally:
        session.close()
    if not keys_found or der is None:
        raise SignerKeyError(f"Le jeton « {token} » n'a pas de clé privée et de certificat « {key_label} ».")
    row = _new_row(tenant, person, KeySource.PKCS11, x509.load_der_x509_certificate(der))
    row.pkcs11_module, row.pkcs11_token, row.pkcs11_key = module, token, key_label
    row.sealed_secret = seal(pin, _purpose(row))
    return _activate(tenant, person, row)
