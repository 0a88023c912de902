"""Importing members from a CSV file: every row is checked first, then all are imported or none."""

import io
import re

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from saas.core.database import SYSTEM, context
from saas.identity.models import Mandate, MandateRole, Person
from saas.mail.models import OutboundMail
from saas.tenancy.models import Assembly, AssemblyKind
from tests.fixtures.app import audit_actions
from tests.fixtures.people import unique_email
from tests.fixtures.web import csrf_token, post, sign_in, text

HEADER = "email,prenom,nom,assemblee,role,groupe,debut,fin"


def upload(client, world, content: bytes | str, filename: str = "membres.csv"):
    """POST the file as a browser would. The body is encoded here, in memory: the test client would spool a
    large one to a temporary file that it never closes."""
    data = content.encode() if isinstance(content, str) else content
    values = {
        "csrf_token": csrf_token(client, "/account"),
        "file": FileStorage(io.BytesIO(data), filename, content_type="text/csv"),
    }
    boundary, body = encode_multipart(values)
    return client.post(world.url("import"), data=body, content_type=f"multipart/form-data; boundary={boundary}")


def problems(response) -> list[tuple[int, str, str]]:
    """The (line, column, message) rows of the error report."""
    html = response.get_data(as_text=True).replace("&#39;", "'")
    return [
        (int(line), column, message)
        for line, column, message in re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", html)
    ]


def tenant_mandates(session, world) -> list[Mandate]:
    with context(session, SYSTEM):
        return list(session.execute(sa.select(Mandate).where(Mandate.tenant_id == world.tenant.id)).scalars())


def person_count(session) -> int:
    with context(session, SYSTEM):
        return session.execute(sa.select(sa.func.count()).select_from(Person)).scalar_one()


def add_committee(session, world) -> Assembly:
    with context(session, SYSTEM):
        committee = Assembly(
            tenant_id=world.tenant.id, key="finances", name="Commission des finances", kind=AssemblyKind.COMMITTEE
        )
        session.add(committee)
        session.flush()
    return committee


def test_a_valid_file_imports_every_row_and_reports_each_account(client, session, world):
    committee = add_committee(session, world)
    new = unique_email()
    existing = world.other_member  # already on the platform through the other tenant
    rows = [
        HEADER,
        f"{new},Jeanne,Durand,conseil,membre,Majorité,01/03/2026,",
        f"{existing.email.upper()},Autre,Prénom,Conseil,président,,2026-03-01,2026-12-31",
        f"{new},Jeanne,Durand,Commission des finances,secretaire_de_seance,,,",
    ]
    before_people, before_mandates = person_count(session), len(tenant_mandates(session, world))
    sign_in(client, world.admin)
    response = upload(client, world, "\n".join(rows) + "\n")
    assert response.status_code == 200, problems(response)
    page = text(response)
    assert "3 mandat(s) importé(s)." in page
    assert "Compte créé, invitation envoyée" in page
    assert "Compte existant rattaché" in page and "Compte créé à la ligne 2" in page
    assert person_count(session) == before_people + 1
    mandates = tenant_mandates(session, world)
    assert len(mandates) == before_mandates + 3
    with context(session, SYSTEM):
        created = session.execute(sa.select(Person).where(Person.email == new)).scalar_one()
        by_person = {(m.person_id, m.assembly_id): m for m in mandates}
        first = by_person[(created.id, world.tenant.assemblies[0].id)]
        assert first.political_group.name == "Majorité" and first.start_date.isoformat() == "2026-03-01"
        assert by_person[(created.id, committee.id)].role == MandateRole.SECRETARY_OF_SITTING
        attached = by_person[(existing.id, world.tenant.assemblies[0].id)]  # the same Person, no second account
        assert attached.role == MandateRole.PRESIDENT and attached.end_date.isoformat() == "2026-12-31"
        keys = set(session.execute(sa.select(OutboundMail.key)).scalars())
    assert f"invitation:mandate:{first.id}" in keys and f"mandate-notice:mandate:{attached.id}" in keys
    assert {"members.imported", "mandate.created", "person.created"} <= set(audit_actions(session, world.tenant))


def test_one_bad_row_imports_nothing_and_names_its_line_and_column(client, session, world):
    good, also_good = unique_email(), unique_email()
    rows = [HEADER, f"{good},Léa,Martin,conseil,membre,,,", f"{also_good},Paul,Petit,conseil,membre,,31/02/2026,"]
    before_people, before_mandates = person_count(session), len(tenant_mandates(session, world))
    sign_in(client, world.admin)
    response = upload(client, world, "\n".join(rows))
    assert response.status_code == 422
    assert "Rien n'a été importé" in text(response)
    assert problems(response) == [(3, "debut", "Date invalide « 31/02/2026 » : écrivez AAAA-MM-JJ ou JJ/MM/AAAA.")]
    assert person_count(session) == before_people and len(tenant_mandates(session, world)) == before_mandates
    assert "members.imported" not in audit_actions(session, world.tenant)


def test_every_fault_of_every_row_is_reported(client, session, world):
    add_committee(session, world)
    a, b = unique_email(), unique_email()
    rows = [
        HEADER,
        "pas-une-adresse,Léa,Martin,conseil,membre,,,",  # 2
        f"{a},,Martin,inconnue,chef,Groupe fantôme,2026-13-01,",  # 3
        f"{b},Paul,Petit,conseil,membre,,2026-06-01,2026-05-01",  # 4
        f"{a},Léa,Martin,finances,membre,,,",  # 5
        f"{a},Léa,Martin,FINANCES,Membre,,,",  # 6: same person, assembly and role as line 5
        f"{world.member.email},Marc,Membre,conseil,member,,2026-02-01,",  # 7: already holds this mandate
    ]
    sign_in(client, world.admin)
    response = upload(client, world, "\r\n".join(rows))
    assert response.status_code == 422
    found = {(line, column) for line, column, _ in problems(response)}
    assert found == {
        (2, "email"), (3, "prenom"), (3, "assemblee"), (3, "role"), (3, "groupe"), (3, "debut"), (4, "fin"),
        (6, "(ligne entière)"), (7, "assemblee"),
    }  # fmt: skip
    messages = " ".join(message for _, _, message in problems(response))
    for expected in (
        "Adresse e-mail invalide « pas-une-adresse ».", "Le prénom est obligatoire.", "Assemblée inconnue « inconnue »",
        "Rôle inconnu « chef »", "Groupe politique inconnu « Groupe fantôme ».", "La fin du mandat précède son début.",
        "Ligne en double : même personne, même assemblée et même rôle qu'à la ligne 5.",
        "Cette personne a déjà ce mandat à ces dates.",
    ):  # fmt: skip
        assert expected in messages


def test_excel_files_with_a_bom_and_semicolons_are_accepted(client, session, world):
    email = unique_email()
    content = f"Email;Prénom;Nom;Assemblée;Rôle;Groupe;Début;Fin\r\n{email};Zoé;Lefèvre;Conseil;invité;;15/01/2026;\r\n"
    sign_in(client, world.admin)
    response = upload(client, world, content.encode("utf-8-sig"))
    assert response.status_code == 200, problems(response)
    with context(session, SYSTEM):
        person = session.execute(sa.select(Person).where(Person.email == email)).scalar_one()
        mandate = session.execute(sa.select(Mandate).where(Mandate.person_id == person.id)).scalar_one()
    assert (person.first_name, person.last_name) == ("Zoé", "Lefèvre")
    assert mandate.role == MandateRole.GUEST and mandate.start_date.isoformat() == "2026-01-15"


def test_files_that_cannot_be_imported_get_a_clear_french_message(client, session, world):
    sign_in(client, world.admin)
    before = len(tenant_mandates(session, world))
    cases = {
        "Le fichier n'est pas encodé en UTF-8": f"{HEADER}\n{unique_email()},Hélène,Noël,conseil,membre,,,\n".encode(
            "latin-1"
        ),
        "Colonnes manquantes : role.": b"email,prenom,nom,assemblee\nx@example.org,A,B,conseil\n",
        "Le fichier est vide.": b"\n\n",
        "Le fichier ne contient aucune ligne de membre": f"{HEADER}\n".encode(),
        "Le fichier dépasse 5000 lignes": "\n".join(
            [HEADER] + [f"m{n}-{unique_email()},A,B,conseil,membre,,," for n in range(5001)]
        ).encode(),
        "Le fichier dépasse 2 Mo": (HEADER + "\n" + "x" * (2 * 1024 * 1024)).encode(),
    }
    for message, content in cases.items():
        response = upload(client, world, content)
        assert response.status_code == 422, message
        assert message in text(response) and "Rien n'a été importé" in text(response), message
    missing = post(client, world.url("import"), {}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "Choisissez un fichier CSV." in text(missing)
    assert len(tenant_mandates(session, world)) == before
