"""The evidence download: the secretariat of the assembly gets the ZIP, nobody else learns it exists;
and ``quorum evidence export`` writes the same package from the shell."""

import io
import zipfile
from datetime import UTC, datetime

import pytest
from flask import g, render_template_string

from saas.identity.models import GrantKind
from saas.sittings.proof import operations as proof
from saas.trust.evidence import verify_evidence_zip
from tests.fixtures.web import login


@pytest.fixture
def stamped(create_tenant, create_person, give_mandate, give_grant, create_sitting, in_tenant):
    tenant = create_tenant(slug="ville-web-preuve")
    secretary = create_person(email="secretariat@ville-web.example")
    give_grant(secretary, tenant, GrantKind.SECRETARY, assembly=tenant.assemblies[0])
    member = create_person(email="membre@ville-web.example", first_name="Marc", last_name="Membre")
    give_mandate(member, tenant)
    other = create_tenant(slug="agglo-web-preuve")
    other_secretary = create_person(email="secretariat@agglo-web.example")
    give_grant(other_secretary, other, GrantKind.SECRETARY, assembly=other.assemblies[0])
    sitting = create_sitting(tenant)
    with in_tenant(tenant, member):
        proof.record_delivery(sitting.id, member.id, "email", datetime(2027, 2, 1, tzinfo=UTC))
        proof.keep_opening(proof.unrecorded_opening(sitting, member))
    return {
        "tenant": tenant,
        "secretary": secretary,
        "member": member,
        "other_secretary": other_secretary,
        "sitting": sitting,
    }


def _url(stamped) -> str:
    return f"/t/ville-web-preuve/s/{stamped['sitting'].id}/evidence.zip"


def test_secretary_downloads_a_package_that_verifies(client, stamped):
    login(client, stamped["secretary"])
    response = client.get(_url(stamped))
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "attachment" in response.headers["Content-Disposition"]
    results = verify_evidence_zip(response.data)
    assert len(results) == 2 and all(r.ok for r in results)


@pytest.mark.parametrize("who", ["member", "other_secretary"])
def test_anyone_else_gets_404(client, stamped, who):
    login(client, stamped[who])
    assert client.get(_url(stamped)).status_code == 404


def test_unknown_sitting_is_404_for_the_secretary(client, stamped):
    login(client, stamped["secretary"])
    assert client.get(f"/t/ville-web-preuve/s/{stamped['sitting'].id + 1000}/evidence.zip").status_code == 404


def test_partial_shows_the_count_and_link_to_the_secretary_only(app, stamped, in_tenant):
    template = '{% include "sittings/_proof.html" %}'
    with app.test_request_context(), in_tenant(stamped["tenant"]):
        g.tenant = stamped["tenant"]
        shown = render_template_string(template, sitting=stamped["sitting"], manager=True)
        hidden = render_template_string(template, sitting=stamped["sitting"], manager=False)
    assert 'data-proof-count="2"' in shown and _url(stamped) in shown
    assert "Preuve" not in hidden and "evidence.zip" not in hidden


def test_cli_exports_the_package(app, session, stamped, tmp_path):
    target = tmp_path / "preuve.zip"
    session.commit()  # the command runs in its own context, as the operator's shell would
    result = app.test_cli_runner().invoke(
        args=["evidence", "export", "ville-web-preuve", str(stamped["sitting"].id), str(target)]
    )
    assert result.exit_code == 0, result.output
    names = zipfile.ZipFile(io.BytesIO(target.read_bytes())).namelist()
    assert f"manifestes/ouverture-{stamped['member'].id}.json" in names
    missing = app.test_cli_runner().invoke(args=["evidence", "export", "ville-web-preuve", "999999", str(target)])
    assert missing.exit_code == 1 and "Aucune séance" in missing.output
