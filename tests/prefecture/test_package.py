"""The @ctes package of a signed deliberation, as the secretariat prepares it through the API: the tar.gz holds
the envelope, the message, the signed act and its annex under the S²LOW file names; the message and the envelope
are valid against Quorum's ACTES 1.1 schema and say what the act says; the package is stored encrypted with its
SHA-256, audited, and downloaded again byte for byte."""

import hashlib
import io
import json
import tarfile

import sqlalchemy as sa
from lxml import etree

from saas.acts import operations as acts
from saas.audit.models import AuditEvent
from saas.core.database import TenantContext, context
from saas.prefecture import package
from saas.prefecture.models import Transmission, TransmissionStatus
from saas.storage.operations import read_all
from tests.fixtures.web import bearer

A = "{http://www.interieur.gouv.fr/ACTES#v1.1-20040216}"
INSEE = "{http://xml.insee.fr/schema}"


def _url(world, suffix=""):
    return f"/api/v1/tenants/{world.tenant.slug}/deliberations/{world.act.id}/transmission{suffix}"


def test_a_signed_deliberation_makes_a_valid_package(client, session, signed_act):
    world, city = signed_act, signed_act.city
    headers = bearer(city.secretariat)
    made = client.post(_url(world), headers=headers)
    assert made.status_code == 201, made.json
    body = made.json
    assert body["status"] == "prepared" and body["prepared_by"] == city.secretariat.full_name
    number = world.act.number  # "2027-001"
    internal = number.replace("-", "_")
    base = f"025-{world.tenant.siren}-20270315-{internal}-DE-1-1"
    assert body["message_name"] == f"{base}_0.xml"
    assert body["envelope_name"] == f"EACT--{world.tenant.siren}--{world.tenant.today():%Y%m%d}-1.xml"
    assert body["package_name"] == "QRM-" + body["envelope_name"][:-4] + ".tar.gz"

    download = client.get(_url(world, "/package"), headers=headers)
    assert download.status_code == 200 and download.mimetype == "application/gzip"
    data = download.data
    assert hashlib.sha256(data).hexdigest() == body["sha256"] and len(data) == body["size"]
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        names = tar.getnames()
        files = {name: tar.extractfile(name).read() for name in names}
    assert names == [body["envelope_name"], body["message_name"], f"99_DE-{base}_1.pdf", f"99_AU-{base}_2.pdf"]

    message = package.validate(files[body["message_name"]])
    assert files[body["message_name"]].startswith(b"<?xml version='1.0' encoding='ISO-8859-1'?>")
    assert message.tag == A + "Acte"
    assert message.get(A + "Date") == "2027-03-15"
    assert message.get(A + "NumeroInterne") == internal
    assert message.get(A + "CodeNatureActe") == "1"
    assert message.find(A + "CodeMatiere1").get(A + "CodeMatiere") == "8"
    assert message.find(A + "CodeMatiere2").get(A + "CodeMatiere") == "5"
    assert message.find(A + "CodeMatiere3") is None
    assert message.findtext(A + "Objet") == "Equipement numérique - Dématérialisation des documents et procédures"
    assert message.findtext(A + "ClassificationDateVersion") == "2019-08-29"
    assert message.findtext(f"{A}Document/{A}NomFichier") == f"99_DE-{base}_1.pdf"
    assert message.find(A + "Annexes").get(A + "Nombre") == "1"
    assert [e.text for e in message.iter(A + "NomFichier")][1:] == [f"99_AU-{base}_2.pdf"]
    assert message.findtext(A + "DocumentPapier") == "N"

    envelope = package.validate(files[body["envelope_name"]])
    assert envelope.tag == A + "EnveloppeCLMISILL"
    idcl = envelope.find(f"{A}Emetteur/{A}IDCL")
    assert (idcl.get(INSEE + "SIREN"), idcl.get(A + "Departement")) == (world.tenant.siren, "025")
    assert (idcl.get(A + "Arrondissement"), idcl.get(A + "Nature")) == ("1", "31")
    assert envelope.findtext(f"{A}Emetteur/{A}Referent/{A}Nom") == city.secretariat.full_name
    assert envelope.findtext(f"{A}Emetteur/{A}Referent/{A}Email") == city.secretariat.email
    assert [e.text for e in envelope.find(A + "AdressesRetour")] == [
        "actes@besancon.example.org",
        city.secretariat.email,
    ]
    assert envelope.findtext(f"{A}FormulairesEnvoyes/{A}Formulaire/{A}NomFichier") == body["message_name"]

    with context(session, TenantContext(tenant_id=world.tenant.id)):
        signed = acts.signed_request(world.act).current_blob
        assert files[f"99_DE-{base}_1.pdf"] == read_all(signed)
        assert body["fields"]["files"][0]["sha256"] == signed.sha256
        assert files[f"99_AU-{base}_2.pdf"].startswith(b"%PDF")
        transmission = session.execute(sa.select(Transmission)).scalar_one()
        assert transmission.status == TransmissionStatus.PREPARED and transmission.blob.sha256 == body["sha256"]
        event = session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "act.transmission_prepared")
        ).scalar_one()
        data = json.loads(event.data) if isinstance(event.data, str) else event.data
        assert data["sha256"] == body["sha256"] and data["number"] == number

    read = client.get(_url(world), headers=headers)
    assert read.status_code == 200 and read.json["id"] == body["id"]
    assert read.json["fields"]["CodeMatiere"] == "8.5" and read.json["fields"]["NumeroInterne"] == internal
    again = client.post(_url(world), headers=headers)
    assert again.status_code == 200 and again.json["id"] == body["id"]


def test_a_hand_built_message_that_breaks_the_schema_is_refused():
    good = package.message_xml(
        {
            "Date": "2027-03-15",
            "NumeroInterne": "2027_001",
            "CodeNatureActe": 1,
            "CodeMatiere": [8, 5],
            "Objet": "Objet",
            "ClassificationDateVersion": "2019-08-29",
        },
        "99_DE-a_1.pdf",
        ["99_AU-a_2.pdf"],
        paper=False,
    )
    assert package.validate(good) is not None
    for broken in (
        good.replace(b'NumeroInterne="2027_001"', b'NumeroInterne="2027-001"'),
        good.replace(b'CodeNatureActe="1"', b'CodeNatureActe="7"'),
        good.replace(b"<actes:Objet>Objet</actes:Objet>", b"<actes:Objet></actes:Objet>"),
        good.replace(b"<actes:DocumentPapier>N<", b"<actes:DocumentPapier>X<"),
        good.replace(b'actes:Nombre="1"', b'actes:Nombre="2"'),
    ):
        assert broken != good
        try:
            package.validate(broken)
        except package.PackageError as error:
            assert error.message
        else:
            raise AssertionError(broken)
    assert isinstance(etree.fromstring(good), etree._Element)
