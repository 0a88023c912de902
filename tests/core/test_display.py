"""Dates, times and amounts as people read them: in the collectivity's zone, with French separators."""

from datetime import UTC, date, datetime
from types import SimpleNamespace

from flask import g, render_template_string

from saas.core import printing
from saas.sittings.forms import SittingForm

WINTER = datetime(2026, 1, 15, 5, 57, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 5, 57, tzinfo=UTC)
NNBSP = "\u202f"  # what Babel puts between thousands in French (and before AM/PM in English)
NBSP = "\u00a0"  # and before the currency sign
REUNION = SimpleNamespace(timezone="Indian/Reunion")


def render(app, source: str, **context) -> str:
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        return render_template_string(source, **context)


def test_a_utc_time_is_shown_in_paris_winter_and_summer(app):
    assert render(app, "{{ winter|datetime }} / {{ summer|datetime }}", winter=WINTER, summer=SUMMER) == (
        "15/01/2026 06:57 / 15/07/2026 07:57"
    )
    assert render(app, "{{ m|datetime('long') }}", m=WINTER) == "15/01/2026 06:57:00 UTC+01:00"
    assert render(app, "{{ m|datetime('long') }}", m=SUMMER) == "15/07/2026 07:57:00 UTC+02:00"
    assert render(app, "{{ m|datetime('full') }}", m=SUMMER) == "mercredi 15 juillet 2026 à 07h57"
    assert render(app, "{{ m|time }} {{ m|date }} {{ m|date('full') }}", m=WINTER) == (
        "06h57 15/01/2026 jeudi 15 janvier 2026"
    )


def test_each_row_in_its_own_collectivity_zone_and_the_url_collectivity_by_default(app):
    assert render(app, "{{ m|datetime(tenant=t) }}", m=WINTER, t=REUNION) == "15/01/2026 09:57"
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        g.tenant = REUNION
        assert render_template_string("{{ m|datetime }}", m=WINTER) == "15/01/2026 09:57"


def test_a_day_late_in_utc_is_the_next_day_in_paris(app):
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    assert render(app, "{{ m|date }}", m=late) == "03/03/2026"
    assert render(app, "{{ d|date }}", d=date(2026, 3, 2)) == "02/03/2026"


def test_amounts_with_french_separators(app):
    assert render(app, "{{ 5432100|cents }}") == f"54{NNBSP}321,00{NBSP}€"
    assert render(app, "{{ -1250|cents }}") == f"-12,50{NBSP}€"
    assert render(app, "{{ 54321|currency }}") == f"54{NNBSP}321,00{NBSP}€"
    assert render(app, "{{ 1234567|decimal }}") == f"1{NNBSP}234{NNBSP}567"
    assert render(app, "{{ 12493|filesize }} · {{ 512|filesize }}") == "12,2 Ko · 512 o"


def test_english_readers_get_english_formats(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        shown = render_template_string("{{ m|datetime }} {{ 5432100|cents }}", m=WINTER)
    assert shown == f"1/15/26, 6:57{NNBSP}AM €54,321.00"


def test_printable_documents_are_french_and_local_even_for_an_english_reader(app):
    template = printing._environment().from_string("{{ m|datetime('long') }} {{ 5432100|cents }}")
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert template.render(m=WINTER) == f"15/01/2026 06:57:00 UTC+01:00 54{NNBSP}321,00{NBSP}€"
    assert template.render(m=SUMMER) == f"15/07/2026 07:57:00 UTC+02:00 54{NNBSP}321,00{NBSP}€"


def test_a_checkbox_sits_before_its_label_and_other_fields_under_theirs(app):
    source = '{% from "identity/_field.html" import field %}{{ field(form.urgency) }}{{ field(form.place) }}'
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        page = render_template_string(source, form=SittingForm(meta={"csrf": False}))
    check, text = page.split('<div class="field">')
    assert 'class="field field--check"' in check
    assert check.index('type="checkbox"') < check.index('<label class="field__label" for="urgency">')
    assert 'class="field__check"' in check and "field__input" not in check
    assert text.index('<label class="field__label" for="place">') < text.index('class="field__input"')
