"""Definitions as data: the shipped files load idempotently, errors name the file, the step and the field,
collectivities adopt and revise versioned copies, and a definition in use is retired, never deleted."""

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from saas.audit.models import AuditEvent
from saas.core.database import SYSTEM, context
from saas.workflow import definitions
from saas.workflow import operations as engine
from saas.workflow.definitions import WorkflowError
from saas.workflow.models import DefinitionStatus, WorkflowTemplate, WorkflowVersion
from tests.fixtures.workflow import SHIPPED, persons, step


def template_events(session) -> int:
    return session.execute(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "workflow.template_loaded")
    ).scalar_one()


def templates(session) -> list[tuple[str, int]]:
    rows = session.execute(sa.select(WorkflowTemplate.key, WorkflowTemplate.number).order_by(WorkflowTemplate.id))
    return [tuple(row) for row in rows]


def test_the_shipped_defaults_load_once(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["workflows", "load", str(SHIPPED)])
    assert first.exit_code == 0, first.output
    keys = sorted(path.stem for path in SHIPPED.glob("*.toml"))
    assert len(keys) >= 5
    assert sorted(line.split()[1] for line in first.output.splitlines()) == keys
    assert all(line.startswith("created") for line in first.output.splitlines())
    loaded, events = templates(session), template_events(session)
    assert sorted(key for key, _ in loaded) == keys and events == len(keys)
    second = runner.invoke(args=["workflows", "load", str(SHIPPED)])
    assert second.exit_code == 0, second.output
    assert all(line.startswith("unchanged") for line in second.output.splitlines())
    assert templates(session) == loaded and template_events(session) == events


def test_a_changed_file_is_a_new_version(session, tmp_path):
    folder = tmp_path / "workflows"
    shutil.copytree(SHIPPED, folder)
    with context(session, SYSTEM):
        definitions.load_folder(folder)
        path = folder / "urgent.toml"
        path.write_text(path.read_text().replace('name = "Circuit d\'urgence"', 'name = "Circuit très urgent"'))
        report = definitions.load_folder(folder)
    assert report.updated == ["urgent"] and "urgent" not in report.unchanged
    latest = definitions.latest_template("urgent")
    assert (latest.number, latest.name) == (2, "Circuit très urgent")
    assert definitions.latest_template("validation-simple").number == 1


def _bad(folder: Path, name: str, text: str) -> str:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    with pytest.raises(WorkflowError) as refused:
        definitions.load_folder(folder)
    return refused.value.message


def test_errors_name_the_file_the_step_and_the_field(session, tmp_path):
    text = (SHIPPED / "urgent.toml").read_text().replace('mode = "one"', 'mode = "chacun"')
    message = _bad(tmp_path / "w", "urgent.toml", text)
    assert (
        f"{tmp_path / 'w' / 'urgent.toml'}, étape « visa-dgs », champ « mode » : valeur « chacun » inconnue" in message
    )
    assert template_events(session) == 0  # nothing written when a file is refused


def test_every_file_is_checked_before_anything_is_written(session, tmp_path):
    folder = tmp_path / "w"
    shutil.copytree(SHIPPED, folder)
    (folder / "urgent.toml").write_text('key = "urgent"\nname = [1')
    with pytest.raises(WorkflowError, match="TOML invalide"):
        definitions.load_folder(folder)
    assert templates(session) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('who = { kind = "drafter" }', 'who = { kind = "grant" }'),
            "étape « information-redacteur », champ « who.grant » : obligatoire",
        ),
        (
            ('kind = "information"', 'kind = "lecture"'),
            "étape « information-redacteur », champ « kind » : valeur « lecture » inconnue",
        ),
        (
            ("days_after_arrival = 1", "days_after_arrival = -2"),
            "étape « visa-dgs », champ « deadline.days_after_arrival » : doit être un nombre de jours",
        ),
        (
            ('on_refusal = "drafter"', 'on_refusal = "information-redacteur"'),
            "étape « visa-dgs », champ « on_refusal » : « information-redacteur » n'est ni",
        ),
        (
            ('assembly_kind = "council"', 'assembly_kind = "senat"'),
            "urgent.toml, champ « assembly_kind » : valeur « senat » inconnue",
        ),
        (('key = "urgent"', 'key = "autre"'), "urgent.toml, champ « key » : doit être le nom du fichier"),
        (('mode = "one"', 'mode = "one"\ncouleur = "rouge"'), "étape « visa-dgs », champ « couleur » : champ inconnu"),
    ],
)
def test_each_kind_of_mistake_is_named(session, tmp_path, change, expected):
    text = (SHIPPED / "urgent.toml").read_text()
    assert change[0] in text
    assert expected in _bad(tmp_path / "w", "urgent.toml", text.replace(change[0], change[1], 1))


def test_adopt_revise_and_keep_running_versions(session, town, make_report, acting):
    with context(session, SYSTEM):
        definitions.load_folder(SHIPPED)
        adopted = definitions.adopt_template(town.tenant, "validation-simple", actor=None)
        assert definitions.adopt_template(town.tenant, "validation-simple", actor=None) is adopted
    assert (adopted.template_key, adopted.template_number, adopted.assembly_kind) == ("validation-simple", 1, "council")
    first_version = definitions.latest_version(adopted)
    report = make_report(town)
    with acting(town.drafter, town.tenant):
        run = engine.submit(report, town.drafter)
    assert run.version_id == first_version.id
    document = dict(first_version.document)
    with acting(town.head, town.tenant):
        same, changed = definitions.revise_definition(adopted, document, actor=town.head)
        assert (same.id, changed) == (first_version.id, False)
        revised = document | {"steps": [document["steps"][0]]}
        version, changed = definitions.revise_definition(adopted, revised, actor=town.head)
    assert changed and version.number == 2 and len(version.steps) == 1
    assert run.version_id == first_version.id and len(run.version.steps) == 2
    with acting(town.head, town.tenant):
        engine.approve([t for t in engine.tasks_of(run) if t.state == "open"][0], town.head)
    assert run.position == 1  # the running circuit goes on with its own version's second step
    with pytest.raises(ValueError, match="never changes"):
        first_version.document = {"steps": []}
        session.flush()
    session.rollback()


def test_a_definition_in_use_is_retired_not_deleted(session, town, make_circuit, make_report, acting):
    used = make_circuit(town, step("only", persons(town.validator_a)))
    report = make_report(town, title="Tarifs de la médiathèque")
    with acting(town.drafter, town.tenant):
        engine.submit(report, town.drafter)
    with acting(town.head, town.tenant):
        with pytest.raises(WorkflowError) as refused:
            definitions.delete_definition(used, actor=town.head)
        assert "« Tarifs de la médiathèque »" in refused.value.message and "Retirez-le" in refused.value.message
        definitions.retire_definition(used, actor=town.head)
    assert used.status == DefinitionStatus.RETIRED
    other = make_report(town, title="Subvention au club")
    with acting(town.drafter, town.tenant), pytest.raises(WorkflowError, match="Aucun circuit actif"):
        engine.submit(other, town.drafter)
    unused = make_circuit(town, step("only", persons(town.validator_b)), key="jamais-servi")
    with acting(town.head, town.tenant):
        definitions.delete_definition(unused, actor=town.head)
    assert session.execute(sa.select(WorkflowVersion).where(WorkflowVersion.definition_id == unused.id)).first() is None


def test_two_active_circuits_for_the_same_assembly_ask_to_choose(town, make_circuit, make_report, acting):
    make_circuit(town, step("only", persons(town.validator_a)), key="premier")
    second = make_circuit(town, step("only", persons(town.validator_b)), key="second")
    report = make_report(town)
    with acting(town.drafter, town.tenant):
        with pytest.raises(WorkflowError, match="choisissez-en un"):
            engine.submit(report, town.drafter)
        run = engine.submit(report, town.drafter, second)
    assert run.version.definition_id == second.id


def test_the_adopt_command_copies_templates_once(app, session, town):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["workflows", "load", str(SHIPPED)]).exit_code == 0
    slug = town.tenant.slug
    first = runner.invoke(args=["workflows", "adopt", slug, "urgent", "avis-commission"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == [f"{slug}: urgent", f"{slug}: avis-commission"]
    assert runner.invoke(args=["workflows", "adopt", slug, "urgent"]).exit_code == 0
    with context(session, SYSTEM):
        adopted = definitions.definition_by_key(town.tenant, "urgent")
        assert [version.number for version in adopted.versions] == [1]
    unknown = runner.invoke(args=["workflows", "adopt", slug, "inconnu"])
    assert unknown.exit_code != 0 and "Aucun circuit modèle « inconnu »" in unknown.output
    assert "Aucune collectivité" in runner.invoke(args=["workflows", "adopt", "nulle-part", "urgent"]).output
