"""The secretariat's sitting screen, roll-call side: opening, the roll call, arrivals and departures.

One page (``templates/web/sittings/held/screen.html``) for the secretariat and the president, on a laptop or a
tablet. Its parts are drawn by context helpers (``held_roll_call`` here, ``held_votes`` and ``held_live`` in
``saas/sittings/votes/views.py``), so a view of either module that is refused renders the same page again with
the French reason on top and the refusal's status (422, or 409 when the sitting is not where the action needs
it), as the sitting page does. Thin views: load (404 for another tenant's sitting or a member who does not chair
it), parse, call ``saas.sittings.roll_call.operations``, commit once, redirect.
"""

import dataclasses

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from saas.core.database import commit, utcnow
from saas.core.display import format_time
from saas.core.errors import on_refusal, show_on
from saas.core.extensions import db
from saas.identity.models import Person
from saas.identity.web import tenant_blueprint
from saas.sittings.access import load_sitting
from saas.sittings.forms import ANSWER_LABELS, ActionForm
from saas.sittings.models import AgendaItem, AttendanceAnswer, Sitting, SittingStatus
from saas.sittings.notice import local_time
from saas.sittings.operations import VOTING_ROLES, colleagues, current_mandate, sitting_day
from saas.sittings.outcomes import BALLOT_LABELS, OUTCOME_LABELS, Presence
from saas.sittings.presentation import labels
from saas.sittings.roll_call import forms
from saas.sittings.roll_call import operations as roll_call
from saas.sittings.roll_call.models import SEAT_LABELS, PresenceEvent, SeatStatus
from saas.tenancy.legal_rules import tenant_rules

bp = tenant_blueprint("roll_call", __name__)
bp.context_processor(labels)


@bp.context_processor
def held_labels():
    return {"outcome_labels": OUTCOME_LABELS, "ballot_labels": BALLOT_LABELS, "movement_labels": forms.MOVEMENT_LABELS}


def chaired_sitting(sitting_id: int) -> Sitting:
    """The sitting, for its secretariat or its president; 404 otherwise, exactly like a missing one."""
    sitting, manager = load_sitting(g.tenant, sitting_id, current_user)
    if not manager and not roll_call.may_chair(current_user, sitting):
        abort(404)
    return sitting


def sitting_item(sitting: Sitting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.tenant_id != g.tenant.id or item.sitting_id != sitting.id:
        abort(404)
    return item


def screen(sitting: Sitting, status: int = 200, refusal: str | None = None, **refused):
    """The secretariat's screen; ``refused`` replaces a form by the refused one, shown with its errors."""
    page = render_template(
        "sittings/held/screen.html", tenant=g.tenant, sitting=sitting, refusal=refusal, refused=refused
    )
    return page, status


def refusal_on_top(sitting: Sitting) -> None:
    """A refusal of this button is shown on the screen, on top, with its status."""
    on_refusal(lambda error: screen(sitting, error.status, error.message))


def _done(sitting: Sitting, message: str):
    commit(db.session)
    flash(message, "success")
    return redirect(url_for("roll_call.held", sitting_id=sitting.id))


# --- what the screen shows ----------------------------------------------------------------------------------


@dataclasses.dataclass
class RollRow:
    person: Person
    #: the member's own answer, as a label (empty: no answer)
    answer: str
    confirmed: bool
    #: the confirmed seat, as a sentence ("représenté par …")
    label: str


@dataclasses.dataclass
class RollCallPanel:
    seated: bool
    open_day_ok: bool
    open_form: forms.OpenForm
    roll_rows: list[RollRow]
    roll_form: forms.RollCallBase | None
    roll_locked: bool
    deputies_allowed: bool
    movement_form: forms.MovementForm
    movements: list[PresenceEvent]
    names: dict[int, str]
    current_item: AgendaItem | None
    presence: Presence | None
    action_form: ActionForm


def _seat_choices(sitting: Sitting) -> list[tuple[str, str]]:
    rules = tenant_rules(sitting.tenant)
    allowed = [SeatStatus.PRESENT, SeatStatus.ABSENT, SeatStatus.REPRESENTED]
    if sitting.remote_allowed:
        allowed.insert(1, SeatStatus.REMOTE)
    if rules.deputies_allowed:
        allowed.append(SeatStatus.REPLACED)
    return [(status.value, forms.SEAT_CHOICE_LABELS[status]) for status in allowed]


def _seat_label(entry, names: dict[int, str]) -> str:
    if entry.status == SeatStatus.REPRESENTED:
        return _("représenté par %(name)s", name=names.get(entry.proxy_holder_id, ""))
    if entry.status == SeatStatus.REPLACED:
        return _("remplacé par %(name)s", name=entry.deputy_name or "")
    return SEAT_LABELS[entry.status]


def build_roll_form(sitting: Sitting, entries, members: list[Person], formdata=True):
    holders = [(p.id, p.full_name) for p in members]
    data = {}
    for entry in entries:
        data[f"seat_{entry.person_id}"] = entry.status.value
        data[f"holder_{entry.person_id}"] = entry.proxy_holder_id or forms.NOBODY
        data[f"deputy_{entry.person_id}"] = entry.deputy_name or ""
    if formdata:  # a POST: what was sent, over the entries
        return forms.roll_call_form(members, _seat_choices(sitting), holders)
    return forms.roll_call_form(members, _seat_choices(sitting), holders, data=data, formdata=None)


def movement_form(sitting: Sitting, members: list[Person] | None = None) -> forms.MovementForm:
    members = members if members is not None else colleagues(sitting)
    form = forms.MovementForm()
    form.person.choices = [SelectChoice(p.id, p.full_name) for p in members]
    form.proxy_holder.choices = [SelectChoice(forms.NOBODY, _("— pas de procuration —"))] + [
        SelectChoice(p.id, p.full_name) for p in members
    ]
    return form


def open_form(sitting: Sitting) -> forms.OpenForm:
    form = forms.OpenForm()
    form.secretary.choices = [SelectChoice(p.id, p.full_name) for p in colleagues(sitting)]
    return form


@bp.app_context_processor
def roll_call_helpers():
    """``held_roll_call(sitting, refused)``: what the screen shows of the opening, the roll call, the floor."""
    return {
        "held_roll_call": roll_call_panel,
        "may_chair_sitting": lambda sitting: roll_call.may_chair(current_user, sitting),
    }


def roll_call_panel(sitting: Sitting, refused: dict | None = None) -> RollCallPanel:
    refused = refused or {}
    members = colleagues(sitting)
    names = {p.id: p.full_name for p in members}
    entries = roll_call.roll_call(sitting) if sitting.status != SittingStatus.CONVENED else []
    state = roll_call.floor(sitting)
    locked = state is not None and state.roll_call_locked_at is not None
    rows = [
        RollRow(
            person=entry.person,
            answer=str(ANSWER_LABELS[AttendanceAnswer(entry.answered)]) if entry.answered else "",
            confirmed=entry.confirmed_at is not None,
            label=_seat_label(entry, names),
        )
        for entry in entries
    ]
    roll_form = refused.get("roll_form")
    if roll_form is None and entries and not locked:
        roll_form = build_roll_form(sitting, entries, [entry.person for entry in entries], formdata=False)
    current = state.current_item if state is not None else None
    return RollCallPanel(
        seated=current_mandate(current_user.id, sitting, VOTING_ROLES) is not None,
        open_day_ok=local_time(sitting.tenant, utcnow()).date() == sitting_day(sitting),
        open_form=refused.get("open_form") or open_form(sitting),
        roll_rows=rows,
        roll_form=roll_form,
        roll_locked=locked,
        deputies_allowed=tenant_rules(sitting.tenant).deputies_allowed,
        movement_form=refused.get("movement_form") or movement_form(sitting, members),
        movements=roll_call.presence_events(sitting) if entries else [],
        names=names,
        current_item=current,
        presence=roll_call.seats_at(current).presence() if current is not None else None,
        action_form=ActionForm(),
    )


# --- the routes -----------------------------------------------------------------------------------------------


@bp.get("/s/<int:sitting_id>/held")
def held(sitting_id: int):
    return screen(chaired_sitting(sitting_id))


@bp.post("/s/<int:sitting_id>/held/open")
def open_sitting(sitting_id: int):
    sitting = chaired_sitting(sitting_id)
    form = open_form(sitting)
    on_refusal(lambda error: screen(sitting, error.status, None, open_form=show_on(form, error, "secretary")))
    if not form.validate_on_submit():
        return screen(sitting, 422, None, open_form=form)
    secretary = db.session.get(Person, form.secretary.data)
    roll_call.open_sitting(sitting, secretary=secretary, actor=current_user)
    return _done(sitting, _("Séance ouverte. Faites l'appel : chaque ligne part de la réponse du membre."))


@bp.post("/s/<int:sitting_id>/held/roll-call")
def confirm_roll_call(sitting_id: int):
    sitting = chaired_sitting(sitting_id)
    entries = roll_call.roll_call(sitting)
    form = build_roll_form(sitting, entries, [entry.person for entry in entries])
    on_refusal(lambda error: screen(sitting, error.status, None, roll_form=show_on(form, error)))
    if not entries:
        roll_call.require_in_progress(sitting, "faire l'appel")
    if not form.validate_on_submit():
        return screen(sitting, 422, None, roll_form=form)
    changes = []
    for entry in entries:
        status = SeatStatus(form[f"seat_{entry.person_id}"].data)
        holder = form[f"holder_{entry.person_id}"].data or None
        changes.append(
            roll_call.SeatChange(
                person_id=entry.person_id,
                status=status,
                proxy_holder_id=holder if status == SeatStatus.REPRESENTED else None,
                deputy_name=form[f"deputy_{entry.person_id}"].data if status == SeatStatus.REPLACED else None,
            )
        )
    roll_call.confirm_roll_call(sitting, changes, actor=current_user, confirm_all=True)
    return _done(sitting, _("Appel enregistré."))


@bp.post("/s/<int:sitting_id>/held/movements")
def record_movement(sitting_id: int):
    sitting = chaired_sitting(sitting_id)
    form = movement_form(sitting)
    on_refusal(lambda error: screen(sitting, error.status, None, movement_form=show_on(form, error)))
    if not form.validate_on_submit():
        return screen(sitting, 422, None, movement_form=form)
    person = db.session.get(Person, form.person.data)
    if form.kind.data == "arrival":
        roll_call.record_arrival(sitting, person, actor=current_user, remote=form.remote.data)
        message = _("Arrivée de %(name)s enregistrée à %(time)s.", name=person.full_name, time=_now_label(sitting))
    else:
        holder = db.session.get(Person, form.proxy_holder.data) if form.proxy_holder.data else None
        roll_call.record_departure(sitting, person, actor=current_user, proxy_holder=holder)
        message = _("Départ de %(name)s enregistré à %(time)s.", name=person.full_name, time=_now_label(sitting))
    return _done(sitting, message)


def _now_label(sitting: Sitting) -> str:
    return format_time(utcnow(), tenant=sitting.tenant)
