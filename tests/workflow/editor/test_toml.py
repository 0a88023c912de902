"""Export and import: a version downloaded as ``<key>.toml`` reads back with the schema of the files to the
same fingerprint (every shipped file); a file imported is a new circuit, or the next version of the one with
its key, or nothing when it is the same; a refused file shows its French errors and changes nothing."""

import io
import tomllib

import pytest
import sqlalchemy as sa

from saas.core.database import SYSTEM, context
from saas.workflow import definitions
from saas.workflow.editor import operations as ops
from saas.workflow.models import WorkflowDefinition, WorkflowVersion
from tests.fixtures.web import login, post, text
from tests.fixtures.workflow import SHIPPED


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.toml")), ids=lambda path: path.stem)
def test_every_shipped_file_exported_reads_back_to_the_same_fingerprint(session, town, path):
    document = definitions.read_file(path)
    with context(session, SYSTEM):
        definitions.load_folder(SHIPPED)
        definition = definitions.adopt_template(town.tenant, document["key"], actor=None)
        version = definitions.latest_version(definition)
        exported = ops.export_toml(definition, version, town.tenant)
    assert version.sha256 == definitions.fingerprint(document)
    again = definitions.validate_document(f"{path.stem}.toml", tomllib.loads(exported))
    assert again == document
    assert definitions.fingerprint(again) == version.sha256
    assert exported.startswith(f"# {document['name']} — {town.tenant.name}, version 1")


def test_the_export_is_a_download_named_after_the_key(client, editing):
    login(client, editing.town.head)
    answer = client.get(editing.url("export", circuit=editing.circuit))
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"] == 'attachment; filename="avis-commission.toml"'
    assert answer.mimetype == "application/toml"
    document = tomllib.loads(answer.get_data(as_text=True))
    assert [step["key"] for step in document["steps"]] == ["visa-chef-service", "avis-commission", "visa-secretariat"]
    assert client.get(editing.url("export?version=1", circuit=editing.circuit)).status_code == 200
    assert client.get(editing.url("export?version=2", circuit=editing.circuit)).status_code == 404
    for wrong in ("99999999999999999999", "abc", "0", "-1"):
        assert client.get(editing.url(f"export?version={wrong}", circuit=editing.circuit)).status_code == 404


def upload(client, url: str, content: bytes, filename: str = "circuit.toml"):
    return post(client, url, {"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")


def circuit_count(session) -> int:
    with context(session, SYSTEM):
        return session.execute(sa.select(sa.func.count()).select_from(WorkflowDefinition)).scalar_one()


def test_import_a_new_circuit_then_a_new_version_then_the_same_file(client, editing, session):
    login(client, editing.town.head)
    url = editing.url("importer")
    assert client.get(url).status_code == 200
    content = (SHIPPED / "urgent.toml").read_bytes()
    created = upload(client, url, content, "urgent.toml")
    assert created.status_code == 302
    with context(session, SYSTEM):
        urgent = definitions.definition_by_key(editing.town.tenant, "urgent")
    assert created.headers["Location"].endswith(f"/admin/circuits/{urgent.id}")
    changed = content.replace(b"days_after_arrival = 1", b"days_after_arrival = 2")
    revised = upload(client, url, changed, "urgent (1).toml")  # a renamed download: the key decides
    assert revised.status_code == 302
    assert "le fichier en est la nouvelle version" in text(client.get(revised.headers["Location"]))
    same = upload(client, url, changed, "urgent.toml")
    assert same.status_code == 302
    assert "identique à la version en vigueur" in text(client.get(same.headers["Location"]))
    with context(session, SYSTEM):
        numbers = session.execute(
            sa.select(WorkflowVersion.number).where(WorkflowVersion.definition_id == urgent.id)
        ).scalars()
        assert list(numbers) == [1, 2]
        assert definitions.latest_version(urgent).steps[0]["deadline"] == {"days_after_arrival": 2}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            (SHIPPED / "urgent.toml").read_bytes().replace(b'mode = "one"', b'mode = "chacun"'),
            "circuit.toml, étape « visa-dgs », champ « mode » : valeur « chacun » inconnue ;"
            " valeurs possibles : one, all",
        ),
        (b'key = "x"\nname = ', "circuit.toml : TOML invalide"),
        ('key = "é"'.encode("latin-1"), "circuit.toml : le fichier n'est pas en UTF-8."),
        (b"# " + b"x" * (ops.MAX_IMPORT_BYTES + 10), "circuit.toml : le fichier dépasse 64 Ko."),
        ('name = "Sans clé"\napplies_to = "acts"\n[[steps]]\nkey = "a"'.encode(), "champ « key » : champ obligatoire"),
    ],
)
def test_a_refused_file_shows_its_french_errors_and_changes_nothing(client, editing, session, content, message):
    login(client, editing.town.head)
    before = circuit_count(session)
    answer = upload(client, editing.url("importer"), content)
    assert answer.status_code == 422
    assert message in text(answer)
    assert circuit_count(session) == before


def test_a_file_cannot_change_a_retired_circuit(client, editing, session):
    with context(session, SYSTEM):
        definitions.retire_definition(editing.circuit, actor=None)
    login(client, editing.town.head)
    content = (
        (SHIPPED / "avis-commission.toml").read_bytes().replace(b"days_after_arrival = 3", b"days_after_arrival = 4")
    )
    answer = upload(client, editing.url("importer"), content, "avis-commission.toml")
    assert answer.status_code == 422
    assert "est retiré : il ne peut plus être modifié" in text(answer)
