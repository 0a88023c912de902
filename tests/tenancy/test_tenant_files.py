"""``quorum tenants load``: the founding tenants from tenants/, idempotent, updated by edits, and a bad
file refused whole. It commits, so it runs on an installation of its own (tests.fixtures.instances)."""

import shutil

import pytest
import sqlalchemy as sa

from saas import ROOT
from saas.audit.models import AuditEvent
from saas.tenancy.models import Assembly, Tenant
from tests.fixtures.instances import fresh_app, system_session

FOUNDERS = {
    "besancon": {"conseil-municipal", "commission-1"},
    "region-franche-comte": {"conseil-regional", "commission-permanente"},
    "doubs": {"conseil-departemental", "commission-permanente"},
    "grand-besancon": {"conseil-communautaire", "bureau"},
}


@pytest.fixture
def app(tmp_path, smtp_server):
    with fresh_app(tmp_path / "instance", "tenants", smtp_server.port) as app:
        yield app


def load(app, folder):
    return app.test_cli_runner().invoke(args=["tenants", "load", str(folder)])


def snapshot(app) -> dict:
    with system_session(app) as session:
        tenants = {t.slug: t for t in session.execute(sa.select(Tenant)).scalars()}
        return {
            "tenants": {slug: (t.name, t.population, t.kind.value) for slug, t in tenants.items()},
            "assemblies": {
                (a.tenant.slug, a.key): (a.name, a.seats) for a in session.execute(sa.select(Assembly)).scalars()
            },
            "audit": session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one(),
        }


def test_loads_the_four_founders_then_changes_nothing(app):
    first = load(app, ROOT / "tenants")
    assert first.exit_code == 0, first.output
    assert sorted(line.split() for line in first.output.splitlines()) == sorted(["created", slug] for slug in FOUNDERS)
    loaded = snapshot(app)
    assert set(loaded["tenants"]) == set(FOUNDERS)
    for slug, keys in FOUNDERS.items():
        assert {key for tenant, key in loaded["assemblies"] if tenant == slug} == keys
    assert loaded["tenants"]["grand-besancon"][2] == "epci"

    again = load(app, ROOT / "tenants")
    assert again.exit_code == 0, again.output
    assert sorted(line.split() for line in again.output.splitlines()) == sorted(
        ["unchanged", slug] for slug in FOUNDERS
    )
    assert snapshot(app) == loaded  # audit events included: nothing was written


def test_edited_copy_updates(app, tmp_path):
    folder = tmp_path / "tenants"
    shutil.copytree(ROOT / "tenants", folder)
    assert load(app, folder).exit_code == 0
    path = folder / "ville-besancon.toml"
    text = path.read_text().replace("population = 119198", "population = 120057")
    text += '\n[[assemblies]]\nkey = "commission-2"\nname = "Commission n° 2"\nkind = "committee"\nseats = 13\n'
    path.write_text(text)
    before = snapshot(app)
    result = load(app, folder)
    assert result.exit_code == 0, result.output
    assert "updated   besancon" in result.output
    assert result.output.count("unchanged") == 3
    after = snapshot(app)
    assert after["tenants"]["besancon"][1] == 120057
    assert after["assemblies"][("besancon", "commission-2")] == ("Commission n° 2", 13)
    assert after["audit"] == before["audit"] + 1  # one tenant.updated event


@pytest.mark.parametrize(
    "change, message",
    [
        (('siren = "212500565"', 'siren = "21250056"'), "siren must be 9 digits"),
        (('kind = "commune"', 'kind = "village"'), "kind must be one of"),
    ],
)
def test_bad_file_is_refused_and_nothing_is_written(app, tmp_path, change, message):
    folder = tmp_path / "bad"
    folder.mkdir()
    good = (ROOT / "tenants" / "departement-doubs.toml").read_text()
    (folder / "a-doubs.toml").write_text(good)  # valid, and loaded before the bad file
    bad = (ROOT / "tenants" / "ville-besancon.toml").read_text()
    assert change[0] in bad
    (folder / "b-besancon.toml").write_text(bad.replace(*change))
    before = snapshot(app)
    result = load(app, folder)
    assert result.exit_code != 0
    assert "b-besancon.toml" in result.output and message in result.output
    assert snapshot(app) == before
    assert before["tenants"] == {}
