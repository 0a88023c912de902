"""A tenant admin configures assemblies and groups, invites people, ends mandates and manages grants."""

from datetime import date

import sqlalchemy as sa

from saas.core.database import SYSTEM, context
from saas.identity.models import GrantKind, Mandate, MandateRole, Person, TenantGrant
from saas.mail.models import OutboundMail
from saas.tenancy.models import Assembly, AssemblyKind, PoliticalGroup, PoliticalGroupKind
from tests.fixtures.app import audit_actions
from tests.fixtures.people import first_assembly, first_group, unique_email
from tests.fixtures.web import post, sign_in, text


def one(session, query):
    with context(session, SYSTEM):
        return session.execute(query).scalar_one()


def test_the_overview_links_every_section(client, world):
    sign_in(client, world.admin)
    page = client.get(world.url())
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for section in ("assemblies", "groups", "mandates", "grants", "import"):
        assert f'href="{world.url(section)}"' in html


def test_an_admin_creates_edits_and_archives_an_assembly_which_is_never_deleted(client, session, world):
    sign_in(client, world.admin)
    data = {"name": "Commission des finances", "kind": "committee", "seats": "9", "key": ""}
    assert post(client, world.url("assemblies/new"), data).status_code == 302
    assembly = one(
        session,
        sa.select(Assembly).where(Assembly.tenant_id == world.tenant.id, Assembly.key == "commission-des-finances"),
    )
    assert (assembly.name, assembly.kind, assembly.seats) == ("Commission des finances", AssemblyKind.COMMITTEE, 9)

    again = post(client, world.url("assemblies/new"), {**data, "key": "commission-des-finances"})
    assert again.status_code == 422 and "Une assemblée porte déjà l'identifiant" in text(again)

    edit = {"name": "Commission Finances et budget", "kind": "committee", "seats": "11"}
    assert post(client, world.url(f"assemblies/{assembly.id}"), edit).status_code == 302
    bad = post(client, world.url(f"assemblies/{assembly.id}"), {**edit, "seats": "0"})
    assert bad.status_code == 422 and "Indiquez un nombre entre 1 et 1 000." in text(bad)

    assert post(client, world.url(f"assemblies/{assembly.id}/archive")).status_code == 302
    with context(session, SYSTEM):
        session.refresh(assembly)
        assert (assembly.name, assembly.seats, assembly.archived) == ("Commission Finances et budget", 11, True)
    assert "Archivée" in text(client.get(world.url("assemblies")))
    assert post(client, world.url(f"assemblies/{assembly.id}/restore")).status_code == 302
    actions = audit_actions(session, world.tenant)
    for action in ("assembly.created", "assembly.updated", "assembly.archived", "assembly.restored"):
        assert action in actions


def test_an_admin_creates_and_renames_a_political_group(client, session, world):
    sign_in(client, world.admin)
    assert post(client, world.url("groups/new"), {"name": "Agir ensemble", "kind": "opposition"}).status_code == 302
    group = one(
        session,
        sa.select(PoliticalGroup).where(
            PoliticalGroup.tenant_id == world.tenant.id, PoliticalGroup.name == "Agir ensemble"
        ),
    )
    assert group.kind == PoliticalGroupKind.OPPOSITION
    taken = post(client, world.url(f"groups/{group.id}"), {"name": "majorité", "kind": "other"})
    assert taken.status_code == 422 and "Un groupe politique porte déjà ce nom." in text(taken)
    assert (
        post(client, world.url(f"groups/{group.id}"), {"name": "Agir pour la ville", "kind": "other"}).status_code
        == 302
    )
    with context(session, SYSTEM):
        session.refresh(group)
        assert (group.name, group.kind) == ("Agir pour la ville", PoliticalGroupKind.OTHER)
    assert {"political_group.created", "political_group.updated"} <= set(audit_actions(session, world.tenant))


def mandate_form(session, world, email: str, **changes) -> dict:
    return {
        "email": email, "first_name": "Nina", "last_name": "Nouvelle",
        "assembly": str(first_assembly(session, world.tenant).id), "role": "member",
        "political_group": str(first_group(session, world.tenant).id), "start_date": "2026-03-01", "end_date": "",
        **changes,
    }  # fmt: skip


def test_inviting_a_new_email_creates_the_account_and_mails_an_invitation(client, session, world):
    sign_in(client, world.admin)
    email = unique_email()
    response = post(
        client, world.url("mandates/new"), mandate_form(session, world, email.upper()), follow_redirects=True
    )
    assert response.status_code == 200
    assert f"Compte créé pour {email}" in text(response)
    person = one(session, sa.select(Person).where(Person.email == email))
    mandate = one(session, sa.select(Mandate).where(Mandate.person_id == person.id))
    assert (mandate.tenant_id, mandate.role, mandate.start_date) == (
        world.tenant.id,
        MandateRole.MEMBER,
        date(2026, 3, 1),
    )
    assert mandate.political_group_id == first_group(session, world.tenant).id
    mail = one(session, sa.select(OutboundMail).where(OutboundMail.key == f"invitation:mandate:{mandate.id}"))
    assert mail.to_address == email
    assert {"person.created", "mandate.created"} <= set(audit_actions(session, world.tenant))


def test_inviting_an_email_already_on_the_platform_attaches_the_mandate_to_that_person(client, session, world):
    """One identity per person: the member of the other tenant gets a second mandate, not a second account."""
    sign_in(client, world.admin)
    with context(session, SYSTEM):
        people_before = session.execute(sa.select(sa.func.count()).select_from(Person)).scalar_one()
    form = mandate_form(session, world, world.other_member.email, first_name="Autre", last_name="Nom", role="president")
    response = post(client, world.url("mandates/new"), form, follow_redirects=True)
    assert "Un compte Quorum existait déjà" in text(response)
    with context(session, SYSTEM):
        assert session.execute(sa.select(sa.func.count()).select_from(Person)).scalar_one() == people_before
        mandates = session.execute(sa.select(Mandate).where(Mandate.person_id == world.other_member.id)).scalars().all()
    assert {m.tenant_id for m in mandates} == {world.tenant.id, world.other_tenant.id}
    here = next(m for m in mandates if m.tenant_id == world.tenant.id)
    assert here.role == MandateRole.PRESIDENT
    assert (
        one(session, sa.select(OutboundMail.to_address).where(OutboundMail.key == f"mandate-notice:mandate:{here.id}"))
        == world.other_member.email
    )
    with context(session, SYSTEM):
        assert (
            session.execute(sa.select(OutboundMail).where(OutboundMail.key == f"invitation:mandate:{here.id}")).first()
            is None
        )


def test_the_invitation_form_refuses_bad_input_in_french_and_writes_nothing(client, session, world):
    sign_in(client, world.admin)
    email = unique_email()
    form = mandate_form(session, world, "pas-une-adresse", start_date="2026-05-01", end_date="2026-04-01")
    response = post(client, world.url("mandates/new"), form)
    assert response.status_code == 422
    assert "Adresse e-mail invalide." in text(response) and "La fin du mandat précède son début." in text(response)
    archived = first_assembly(session, world.tenant)
    with context(session, SYSTEM):
        archived.archived = True
        session.flush()
    response = post(client, world.url("mandates/new"), mandate_form(session, world, email))
    assert response.status_code == 422
    with context(session, SYSTEM):
        assert session.execute(sa.select(Person).where(Person.email == email)).first() is None


def test_the_mandate_list_shows_this_tenants_mandates_filtered_by_assembly(client, session, world, give_mandate):
    with context(session, SYSTEM):
        committee = Assembly(
            tenant_id=world.tenant.id, key="urbanisme", name="Commission urbanisme", kind=AssemblyKind.COMMITTEE
        )
        session.add(committee)
        first_assembly(session, world.other_tenant).name = "Conseil de l'autre ville"
        session.flush()
    give_mandate(world.member, world.tenant, committee, role=MandateRole.PRESIDENT)
    give_mandate(world.admin, world.other_tenant)  # the admin's own mandate elsewhere stays out of this list
    sign_in(client, world.admin)
    response = client.get(world.url("mandates"))
    page = text(response)
    assert world.member.email in page and world.admin.email in page and "Commission urbanisme" in page
    assert world.other_member.email not in page and "Conseil de l'autre ville" not in page
    # admin and member in the council, member in the committee; not the admin's mandate elsewhere
    assert response.get_data(as_text=True).count('/end"') == 3
    filtered = client.get(world.url(f"mandates?assembly={committee.id}"))
    assert world.member.email in text(filtered) and world.admin.email not in text(filtered)
    assert "Président ou présidente" in text(filtered) and filtered.get_data(as_text=True).count('/end"') == 1


def test_ending_a_mandate_keeps_it_with_its_end_date(client, session, world):
    sign_in(client, world.admin)
    mandate = one(session, sa.select(Mandate).where(Mandate.person_id == world.member.id))
    early = post(client, world.url(f"mandates/{mandate.id}/end"), {"end_date": "2025-12-31"})
    assert early.status_code == 422 and "La date de fin ne peut pas précéder le début du mandat (01/01/2026)." in text(
        early
    )
    assert post(client, world.url(f"mandates/{mandate.id}/end"), {"end_date": "2026-06-30"}).status_code == 302
    with context(session, SYSTEM):
        session.refresh(mandate)
        assert mandate.end_date == date(2026, 6, 30)
    assert "mandate.ended" in audit_actions(session, world.tenant)
    page = client.get(world.url("mandates")).get_data(as_text=True)
    assert f"mandates/{mandate.id}/end" not in page and "Terminé" in page
    again = post(client, world.url(f"mandates/{mandate.id}/end"), {"end_date": "2026-07-31"})
    assert again.status_code == 422 and "Ce mandat est déjà terminé." in text(again)


def test_grants_are_given_to_people_of_the_tenant_and_removed(client, session, world):
    sign_in(client, world.admin)
    form_page = text(client.get(world.url("grants/new")))
    assert world.member.email in form_page and world.other_member.email not in form_page
    assembly = first_assembly(session, world.tenant)
    no_assembly = post(
        client, world.url("grants/new"), {"person": world.member.id, "kind": "secretary", "assembly": "0"}
    )
    assert no_assembly.status_code == 422 and "Choisissez l'assemblée" in text(no_assembly)
    outsider = post(
        client, world.url("grants/new"), {"person": world.other_member.id, "kind": "tenant_admin", "assembly": "0"}
    )
    assert outsider.status_code == 422
    given = post(
        client, world.url("grants/new"), {"person": world.member.id, "kind": "secretary", "assembly": assembly.id}
    )
    assert given.status_code == 302
    grant = one(session, sa.select(TenantGrant).where(TenantGrant.person_id == world.member.id))
    assert (grant.tenant_id, grant.kind, grant.assembly_id) == (world.tenant.id, GrantKind.SECRETARY, assembly.id)
    assert post(client, world.url(f"grants/{grant.id}/remove")).status_code == 302
    with context(session, SYSTEM):
        assert session.get(TenantGrant, grant.id) is None
    actions = audit_actions(session, world.tenant)
    assert "grant.created" in actions and "grant.removed" in actions


def test_urgent_validation_is_given_on_the_whole_collectivity(client, session, world):
    sign_in(client, world.admin)
    assert "Validation d'urgence" in text(client.get(world.url("grants/new")))
    assembly = first_assembly(session, world.tenant)
    with_assembly = post(
        client,
        world.url("grants/new"),
        {"person": world.member.id, "kind": "urgent_validator", "assembly": assembly.id},
    )
    assert with_assembly.status_code == 422 and "Ce droit porte sur toute la collectivité" in text(with_assembly)
    given = post(
        client, world.url("grants/new"), {"person": world.member.id, "kind": "urgent_validator", "assembly": "0"}
    )
    assert given.status_code == 302
    grant = one(session, sa.select(TenantGrant).where(TenantGrant.person_id == world.member.id))
    assert (grant.kind, grant.assembly_id) == (GrantKind.URGENT_VALIDATOR, None)


def test_an_admin_cannot_remove_their_own_admin_grant(client, session, world):
    sign_in(client, world.admin)
    own = one(session, sa.select(TenantGrant).where(TenantGrant.person_id == world.admin.id))
    response = post(client, world.url(f"grants/{own.id}/remove"), follow_redirects=True)
    assert "Vous ne pouvez pas retirer votre propre droit d'administration" in text(response)
    with context(session, SYSTEM):
        assert session.get(TenantGrant, own.id) is not None
    assert "grant.removed" not in audit_actions(session, world.tenant)
