"""The circuit editor's pages: the list and the templates to adopt, a circuit with its diagram, versions and
reports, the form editor (every save through the schema of the files, a new version only when something
changed), retire and delete, and who may reach them (the collectivity's admins; anyone else gets 404)."""

import re

import pytest
import sqlalchemy as sa

from saas.core.database import SYSTEM, context
from saas.workflow import definitions
from saas.workflow import operations as engine
from saas.workflow.models import DefinitionStatus, WorkflowDefinition, WorkflowVersion
from tests.fixtures.web import login, post, text


def versions(session, circuit) -> list[int]:
    with context(session, SYSTEM):
        return list(
            session.execute(
                sa.select(WorkflowVersion.number)
                .where(WorkflowVersion.definition_id == circuit.id)
                .order_by(WorkflowVersion.number)
            ).scalars()
        )


def latest(session, circuit) -> dict:
    with context(session, SYSTEM):
        return definitions.latest_version(circuit).document


def step_form(step: dict, **changes) -> dict:
    """The step form's fields for ``step`` (the TOML format), with ``changes``."""
    who, deadline = step["who"], step.get("deadline") or {}
    data = {
        "name": step["name"],
        "kind": step["kind"],
        "who_kind": who["kind"],
        "who_persons": who.get("emails", []),
        "who_grant": who.get("grant", ""),
        "who_role": who.get("role", ""),
        "who_assembly": who.get("assembly", ""),
        "mode": step["mode"],
        "deadline_kind": next(iter(deadline), ""),
        "deadline_days": next(iter(deadline.values()), ""),
        "approve_metadata": ", ".join((step.get("required_metadata") or {}).get("approve", [])),
        "refuse_metadata": ", ".join((step.get("required_metadata") or {}).get("refuse", [])),
        "on_refusal": step["on_refusal"],
    }
    if step["reapprove_after_change"]:
        data["reapprove_after_change"] = "y"
    return data | changes


def errors_of(response, field: str) -> list[str]:
    html = response.get_data(as_text=True)
    block = re.search(rf'<ul class="field__errors" id="{field}-errors">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", block.group(1)) if block else []


def test_the_list_shows_the_circuits_and_the_templates_to_adopt(client, editing, session):
    login(client, editing.town.head)
    page = client.get(editing.url())
    assert page.status_code == 200
    body = text(page)
    assert "Validation avec avis de commission" in body and "Rapports — Conseil" in body
    assert "n° 1 du" in body
    html = page.get_data(as_text=True)
    for key in ("validation-simple", "urgent", "actes-a-signer", "convention-groupement"):
        assert f'data-template="{key}"' in html
    assert 'data-template="avis-commission"' not in html  # adopted already
    adopted = post(client, editing.url("adopter"), {"key": "urgent"})
    assert adopted.status_code == 302
    with context(session, SYSTEM):
        urgent = definitions.definition_by_key(editing.town.tenant, "urgent")
    assert adopted.headers["Location"].endswith(f"/admin/circuits/{urgent.id}")
    assert 'data-template="urgent"' not in client.get(editing.url()).get_data(as_text=True)
    unknown = post(client, editing.url("adopter"), {"key": "inconnu"})
    assert unknown.status_code == 302
    assert "Aucun circuit modèle « inconnu »" in text(client.get(editing.url()))


def test_the_circuit_page_draws_its_diagram(client, editing):
    login(client, editing.town.head)
    page = client.get(editing.url(circuit=editing.circuit))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('class="diagram__node"') == 5  # the submission, three steps, the end
    assert html.count('class="diagram__refusal"') == 2  # the two visas; the committee's opinion is advisory
    assert "l&#39;un d&#39;eux" in html
    assert "la présidence de « Commission n° 1 »" in html
    assert "au plus tard 12 jours avant la séance" in html
    assert 'data-version="1"' in html
    assert "Supprimer ce circuit" in html  # no report used it yet


def test_editing_a_step_saves_a_new_version_and_an_unchanged_save_none(client, editing, session):
    login(client, editing.town.head)
    url = editing.url("etapes/visa-chef-service", circuit=editing.circuit)
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="3"' in page.get_data(as_text=True)  # the 3 days after arrival, shown
    step = latest(session, editing.circuit)["steps"][0]
    saved = post(client, url, step_form(step, deadline_days="5", mode="all"))
    assert saved.status_code == 302
    assert versions(session, editing.circuit) == [1, 2]
    step = latest(session, editing.circuit)["steps"][0]
    assert (step["deadline"], step["mode"]) == ({"days_after_arrival": 5}, "all")
    again = post(client, url, step_form(step), follow_redirects=True)
    assert "Aucun changement : la version 2 reste en vigueur." in text(again)
    assert versions(session, editing.circuit) == [1, 2]
    assert 'data-version="2"' in again.get_data(as_text=True)


def test_the_committees_opinion_can_be_collected_from_its_members(client, editing, session):
    login(client, editing.town.head)
    step = latest(session, editing.circuit)["steps"][1]
    url = editing.url(f"etapes/{step['key']}", circuit=editing.circuit)
    changed = step_form(step, who_kind="members", who_role="president", who_assembly="commission-1", mode="all")
    assert post(client, url, changed).status_code == 302
    saved = latest(session, editing.circuit)["steps"][1]
    assert (saved["who"], saved["mode"]) == ({"kind": "members", "assembly": "commission-1"}, "all")
    page = client.get(editing.url("", circuit=editing.circuit)).get_data(as_text=True)
    assert "chacun des membres de « Commission n° 1 »" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"who_kind": "role", "who_role": "president", "who_assembly": ""},
            "who_assembly",
            "Obligatoire quand « Qui » vaut « Les titulaires d&#39;un rôle dans une assemblée »",
        ),
        ({"who_kind": "persons", "who_persons": []}, "who_persons", "au moins une adresse"),
        ({"who_kind": "members", "who_assembly": ""}, "who_assembly", "Obligatoire quand « Qui » vaut « Les membres"),
        ({"who_kind": "grant", "who_grant": ""}, "who_grant", "Obligatoire quand « Qui » vaut"),
        ({"deadline_kind": "days_before_sitting", "deadline_days": ""}, "deadline_days", "ne peut pas être vide"),
        ({"deadline_days": "400"}, "deadline_days", "entre 0 et 365"),
        ({"mode": "chacun"}, "mode", "choix valide"),
        ({"approve_metadata": "Motif urgence"}, "approve_metadata", "minuscules"),
        ({"name": ""}, "name", "obligatoire"),
    ],
)
def test_a_refused_step_shows_the_error_next_to_its_field_and_saves_nothing(
    client, editing, session, changes, field, message
):
    login(client, editing.town.head)
    step = latest(session, editing.circuit)["steps"][0]
    answer = post(client, editing.url("etapes/visa-chef-service", circuit=editing.circuit), step_form(step, **changes))
    assert answer.status_code == 422
    assert any(message in error for error in errors_of(answer, field)), errors_of(answer, field)
    assert versions(session, editing.circuit) == [1]


def test_a_refusal_to_a_step_that_would_come_later_is_refused_by_the_schema(client, editing, session):
    login(client, editing.town.head)
    # the secretariat's refusal returns to the service head: above the committee's opinion it may go, not
    # above the service head
    up = editing.url("etapes/visa-secretariat/monter", circuit=editing.circuit)
    assert post(client, up).status_code == 302
    assert [s["key"] for s in latest(session, editing.circuit)["steps"]][1] == "visa-secretariat"
    answer = post(client, up)
    assert answer.status_code == 422
    assert (
        "circuit « avis-commission », étape « visa-secretariat », champ « on_refusal » : « visa-chef-service »"
        " n'est ni « drafter » ni la clé d'une étape précédente" in text(answer)
    )
    answer = post(client, editing.url("etapes/visa-chef-service/supprimer", circuit=editing.circuit))
    assert answer.status_code == 422
    assert versions(session, editing.circuit) == [1, 2]


def test_add_move_and_remove_steps(client, editing, session):
    login(client, editing.town.head)
    add = editing.url("ajouter-une-etape", circuit=editing.circuit)
    assert client.get(add).status_code == 200
    new_step = {
        "name": "Visa de l'élu délégué",
        "kind": "approval",
        "who_kind": "persons",
        "who_persons": [editing.town.validator_a.email],
        "mode": "one",
        "deadline_kind": "days_after_arrival",
        "deadline_days": "2",
        "who_grant": "",
        "who_role": "",
        "who_assembly": "",
        "approve_metadata": "",
        "refuse_metadata": "",
        "on_refusal": "avis-commission",
        "reapprove_after_change": "y",
    }
    assert post(client, add, new_step).status_code == 302
    steps = latest(session, editing.circuit)["steps"]
    assert [s["key"] for s in steps] == [
        "visa-chef-service",
        "avis-commission",
        "visa-secretariat",
        "visa-de-l-elu-delegue",
    ]
    assert steps[3]["who"] == {"kind": "persons", "emails": [editing.town.validator_a.email]}
    # another step with the same name gets a key of its own
    assert post(client, add, new_step | {"on_refusal": "drafter"}).status_code == 302
    assert latest(session, editing.circuit)["steps"][4]["key"] == "visa-de-l-elu-delegue-2"
    assert (
        post(client, editing.url("etapes/visa-de-l-elu-delegue-2/monter", circuit=editing.circuit)).status_code == 302
    )
    assert [s["key"] for s in latest(session, editing.circuit)["steps"]][3:] == [
        "visa-de-l-elu-delegue-2",
        "visa-de-l-elu-delegue",
    ]
    assert (
        post(client, editing.url("etapes/visa-de-l-elu-delegue/supprimer", circuit=editing.circuit)).status_code == 302
    )
    assert len(latest(session, editing.circuit)["steps"]) == 4
    assert versions(session, editing.circuit) == [1, 2, 3, 4, 5]
    missing = post(client, editing.url("etapes/nulle-part/monter", circuit=editing.circuit))
    assert missing.status_code == 404


def test_rename_and_create_a_circuit(client, editing, session):
    login(client, editing.town.head)
    edit = editing.url("modifier", circuit=editing.circuit)
    assert "Validation avec avis de commission" in client.get(edit).get_data(as_text=True)
    assert post(client, edit, {"name": "Circuit de la ville", "description": ""}).status_code == 302
    document = latest(session, editing.circuit)
    assert document["name"] == "Circuit de la ville" and "description" not in document
    refused = post(client, edit, {"name": "x" * 201})
    assert refused.status_code == 422
    created = post(
        client,
        editing.url("nouveau"),
        {"key": "bureau-simple", "name": "Circuit du bureau", "applies_to": "reports", "assembly_kind": "bureau"},
    )
    assert created.status_code == 302
    with context(session, SYSTEM):
        bureau = definitions.definition_by_key(editing.town.tenant, "bureau-simple")
    assert bureau.assembly_kind == "bureau"
    again = post(
        client,
        editing.url("nouveau"),
        {"key": "bureau-simple", "name": "Encore", "applies_to": "reports", "assembly_kind": "bureau"},
    )
    assert again.status_code == 422 and "existe déjà" in text(again)
    wrong = post(
        client,
        editing.url("nouveau"),
        {"key": "actes", "name": "Actes", "applies_to": "acts", "assembly_kind": "council"},
    )
    assert wrong.status_code == 422
    assert "seulement pour un circuit de rapports" in " ".join(errors_of(wrong, "assembly_kind"))


def test_retire_then_delete_refused_for_a_circuit_in_use(client, editing, session, make_report, acting):
    report = make_report(editing.town, title="Équipement numérique")
    with acting(editing.town.drafter, editing.town.tenant):
        engine.submit(report, editing.town.drafter)
    login(client, editing.town.head)
    page = client.get(editing.url(circuit=editing.circuit))
    assert "Équipement numérique" in text(page)
    assert "Supprimer ce circuit" not in text(page)  # in use: only retiring is offered
    refused = post(client, editing.url("supprimer", circuit=editing.circuit))
    assert refused.status_code == 422
    assert f"il a servi aux rapports « Équipement numérique » (n° {report.id})" in text(refused)
    assert "Retirez-le" in text(refused)
    assert post(client, editing.url("retirer", circuit=editing.circuit)).status_code == 302
    with context(session, SYSTEM):
        assert session.get(WorkflowDefinition, editing.circuit.id).status == DefinitionStatus.RETIRED
    page = client.get(editing.url(circuit=editing.circuit))
    assert "Ajouter une étape" not in text(page) and "Retirer ce circuit" not in text(page)
    assert client.get(editing.url("ajouter-une-etape", circuit=editing.circuit)).status_code == 422
    assert client.get(editing.url("export", circuit=editing.circuit)).status_code == 200


def test_an_unused_circuit_can_be_deleted(client, editing, session):
    login(client, editing.town.head)
    assert post(client, editing.url("supprimer", circuit=editing.circuit)).status_code == 302
    with context(session, SYSTEM):
        assert session.get(WorkflowDefinition, editing.circuit.id) is None


def test_only_the_collectivitys_admins_reach_the_editor(client, editing):
    urls = [
        editing.url(),
        editing.url(circuit=editing.circuit),
        editing.url("etapes/visa-chef-service", circuit=editing.circuit),
        editing.url("export", circuit=editing.circuit),
        editing.url("essai", circuit=editing.circuit),
        editing.url("importer"),
    ]
    login(client, editing.town.secretary)  # a secretary, not an admin
    assert [client.get(url).status_code for url in urls] == [404] * len(urls)
    login(client, editing.other_admin)  # the admin of another collectivity
    assert [client.get(url).status_code for url in urls] == [404] * len(urls)
    own = f"/t/{editing.other_tenant.slug}/admin/circuits/{editing.circuit.id}"
    assert client.get(own).status_code == 404  # their own collectivity, the town's circuit
    assert client.get(f"/t/{editing.other_tenant.slug}/admin/circuits/{editing.other_circuit.id}").status_code == 200


def test_the_admin_navigation_links_to_the_circuits(client, editing):
    login(client, editing.town.head)
    html = client.get(f"/t/{editing.town.tenant.slug}/admin/").get_data(as_text=True)
    assert f'href="/t/{editing.town.tenant.slug}/admin/circuits"' in html
