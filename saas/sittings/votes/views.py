"""The votes on the screens: the secretariat's vote panel, the member's tablet, the projection view of the room,
and the live routes they poll.

The secretariat's screen is one page (``templates/web/sittings/held/screen.html``, drawn by
``saas/sittings/roll_call/views.py``); this module's context helpers (``held_votes``, ``held_agenda``,
``held_live``) draw its vote parts, and each secretariat route here that is refused renders that page again with
the reason on top (409 where the sitting stands, 422 for what was typed). The member's tablet and the projection
view are this module's pages.

Live updates are polled, not pushed (static/held/live.js, once a second): a live route answers a small JSON
document from ``saas.sittings.votes.operations.live_state`` with a ``phase`` (the page is loaded again when it
changes: an item taken up, a vote opened or closed, the sitting closed) and a ``version`` (the parts of the page
that follow it change in place). Three views of it, each with only what its readers may see: the secretariat's
(who has not voted yet), the member's and the room's (counts only; for a secret ballot, nothing of the choices
until the result).
"""

import dataclasses
import hashlib
import json
import math
import threading
import time

import sqlalchemy as sa
from flask import flash, g, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import NotFound
from wtforms.fields.choices import SelectChoice

from saas.core.database import commit, utcnow
from saas.core.display import format_time
from saas.core.errors import on_refusal, show_on
from saas.core.extensions import db
from saas.identity.models import Person
from saas.identity.web import tenant_blueprint
from saas.sittings.forms import ActionForm
from saas.sittings.models import AgendaItem, Sitting, SittingStatus
from saas.sittings.operations import active_items, members_in_office
from saas.sittings.outcomes import BALLOT_LABELS, OUTCOME_LABELS, BallotType
from saas.sittings.presentation import labels
from saas.sittings.roll_call import operations as roll_call
from saas.sittings.roll_call.access import load_held_sitting, load_item, require_chair
from saas.sittings.votes import forms
from saas.sittings.votes import operations as votes
from saas.sittings.votes.models import CHOICE_LABELS, Ballot, Choice, ItemResult, ItemVote, VoteMode, VoteState
from saas.tenancy.legal_rules import tenant_rules

bp = tenant_blueprint("votes", __name__)
bp.context_processor(labels)

SITTING = "/s/<int:sitting_id>"
HELD_ITEM = SITTING + "/held/items/<int:item_id>"


@bp.app_context_processor
def vote_helpers():
    return {
        "held_votes": vote_panel,
        "held_agenda": agenda,
        "held_live": live_marks,
        "outcome_labels": OUTCOME_LABELS,
        "ballot_labels": BALLOT_LABELS,
        "ballot_type_labels": forms.BALLOT_TYPE_LABELS,
        "choice_labels": CHOICE_LABELS,
    }


# --- loading --------------------------------------------------------------------------------------------------


def _chaired(sitting_id: int) -> Sitting:
    sitting, chair = load_held_sitting(g.tenant, sitting_id, current_user)
    require_chair(chair)
    return sitting


def _chaired_item(sitting_id: int, item_id: int) -> tuple[Sitting, AgendaItem]:
    sitting = _chaired(sitting_id)
    return sitting, load_item(sitting, item_id, current_user)


def _screen(sitting: Sitting, status: int = 200, refusal: str | None = None, **refused):
    """The secretariat's screen (the same page as ``roll_call.held``), with a refusal or a refused form."""
    page = render_template(
        "sittings/held/screen.html", tenant=g.tenant, sitting=sitting, refusal=refusal, refused=refused
    )
    return page, status


def _on_screen(sitting: Sitting, form_name: str | None = None, form=None) -> None:
    """A refusal of this route shows the screen again: under the form's fields, or on top."""
    if form is None:
        on_refusal(lambda error: _screen(sitting, error.status, error.message))
    else:
        on_refusal(lambda error: _screen(sitting, error.status, None, **{form_name: show_on(form, error)}))


def _done(sitting: Sitting, message: str):
    commit(db.session)
    forget_live_view(sitting)
    flash(message, "success")
    return redirect(url_for("roll_call.held", sitting_id=sitting.id))


def _valid_action() -> None:
    if not ActionForm().validate_on_submit():  # the token is checked by CSRFProtect first: only a stale form
        raise votes.VoteInputError(_("Le formulaire a expiré : rechargez la page et recommencez."))


# --- the secretariat's vote panel ---------------------------------------------------------------------------


@dataclasses.dataclass
class Requests:
    named: int
    secret: int
    named_needed: int
    #: None: a secret ballot cannot be asked for in this assembly
    secret_needed: int | None
    article: str


@dataclasses.dataclass
class Progress:
    cast: int
    entitled: int
    tally: dict
    waiting: list[str]


@dataclasses.dataclass
class VotePanel:
    stage: str
    result: object
    open: ItemVote | None
    progress: Progress | None
    due: BallotType | None
    requests: Requests | None
    not_taking_part: list[str]
    reconvene_days: int | None
    request_form: forms.BallotRequestForm | None = None
    totals_form: forms.TotalsForm | None = None
    named_form: forms.NamedBase | None = None
    postpone_form: ActionForm | None = None
    withdraw_form: forms.ReasonForm | None = None
    action_form: ActionForm | None = None


def _needed(present: int, divisor: int | None) -> int | None:
    return None if divisor is None else max(1, math.ceil(present / divisor))


def _voter_labels(seats) -> list[tuple[int, str]]:
    """Entitled voters for the named entry, a giver labelled with the colleague who holds their proxy."""
    rows = []
    for voter_id, casters in sorted(seats.entitled_voters().items(), key=lambda pair: (seats.name(pair[0]), pair[0])):
        holders = [seats.name(person_id) for person_id in casters if person_id != voter_id]
        label = seats.name(voter_id)
        if holders:
            label = _("%(name)s (pouvoir à %(holder)s)", name=label, holder=", ".join(holders))
        rows.append((voter_id, label))
    return rows


def request_form(seats) -> forms.BallotRequestForm:
    form = forms.BallotRequestForm()
    present = sorted(seats.members_present(), key=lambda seat: (seat.name, seat.person_id))
    form.person.choices = [SelectChoice(seat.person_id, seat.name) for seat in present]
    return form


def named_form(seats) -> forms.NamedBase:
    return forms.named_form(_voter_labels(seats))


def vote_panel(sitting: Sitting, item: AgendaItem, refused: dict | None = None) -> VotePanel:
    refused = refused or {}
    result = votes.outcome_of(item)
    vote = votes.vote_of(item)
    seats = roll_call.seats_at(item)
    names = sorted(seat.name for seat in seats.seats.values() if seat.not_taking_part)
    base = {"not_taking_part": names, "reconvene_days": tenant_rules(sitting.tenant).quorum_failed_reconvene_days}
    if result is not None:
        return VotePanel("decided", result, None, None, None, None, **base)
    if vote is not None and vote.mode == VoteMode.ELECTRONIC and vote.state == VoteState.OPEN:
        tally = votes.tally(item, seats)
        waiting = [row["name"] for row in votes.not_voted_yet(item)]
        progress = Progress(tally.voted, tally.entitled, tally.counts, waiting)
        return VotePanel("open", None, vote, progress, vote.ballot_type, None, action_form=ActionForm(), **base)
    rules = seats.rules
    present = {seat.person_id for seat in seats.members_present()}
    asked = [r for r in votes.ballot_requests(item) if r.person_id in present]
    requests = Requests(
        named=sum(1 for r in asked if r.kind == BallotType.NAMED),
        secret=sum(1 for r in asked if r.kind == BallotType.SECRET),
        named_needed=_needed(len(present), rules.named_ballot_divisor),
        secret_needed=_needed(len(present), rules.secret_ballot_divisor),
        article=rules.ballot_article,
    )
    return VotePanel(
        "none",
        None,
        None,
        None,
        votes.ballot_type_of(item, seats),
        requests,
        request_form=refused.get("request_form") or request_form(seats),
        totals_form=refused.get("totals_form") or forms.TotalsForm(formdata=None),
        named_form=refused.get("named_form") or named_form(seats),
        postpone_form=ActionForm(),
        withdraw_form=refused.get("withdraw_form") or forms.ReasonForm(formdata=None),
        action_form=ActionForm(),
        **base,
    )


@dataclasses.dataclass
class AgendaRow:
    item: AgendaItem
    outcome: object
    voting: bool


def agenda(sitting: Sitting) -> list[AgendaRow]:
    """The agenda with each item's outcome, or whether its vote is open: two statements for the sitting."""
    outcomes = dict(
        db.session.execute(
            sa.select(ItemResult.item_id, ItemResult.outcome).where(ItemResult.sitting_id == sitting.id)
        ).all()
    )
    open_votes = set(
        db.session.execute(
            sa.select(ItemVote.item_id).where(ItemVote.sitting_id == sitting.id, ItemVote.state == VoteState.OPEN)
        ).scalars()
    )
    return [AgendaRow(item, outcomes.get(item.id), item.id in open_votes) for item in active_items(sitting)]


# --- the secretariat's routes ---------------------------------------------------------------------------------


@bp.post(HELD_ITEM + "/current")
def take_up(sitting_id: int, item_id: int):
    sitting, item = _chaired_item(sitting_id, item_id)
    _on_screen(sitting)
    _valid_action()
    votes.set_current_item(sitting, item, actor=current_user)
    return _done(sitting, _("Point %(n)s en discussion.", n=item.position))


@bp.post(SITTING + "/held/close")
def close_sitting(sitting_id: int):
    sitting = _chaired(sitting_id)
    _on_screen(sitting)
    _valid_action()
    votes.close_sitting(sitting, actor=current_user)
    return _done(sitting, _("La séance est levée à %(time)s.", time=format_time(utcnow(), tenant=sitting.tenant)))


@bp.post(HELD_ITEM + "/ballot-request")
def request_ballot(sitting_id: int, item_id: int):
    sitting, item = _chaired_item(sitting_id, item_id)
    form = request_form(roll_call.seats_at(item))
    _on_screen(sitting, "request_form", form)
    if not form.validate_on_submit():
        return _screen(sitting, 422, None, request_form=form)
    person = db.session.get(Person, form.person.data)
    votes.request_ballot(item, person, BallotType(form.kind.data), actor=current_user)
    return _done(
        sitting,
        _(
            "Demande de %(kind)s enregistrée pour %(name)s.",
            kind=forms.REQUEST_LABELS[BallotType(form.kind.data)],
            name=person.full_name,
        ),
    )


@bp.post(HELD_ITEM + "/totals")
def enter_totals(sitting_id: int, item_id: int):
    sitting, item = _chaired_item(sitting_id, item_id)
    form = forms.TotalsForm()
    _on_screen(sitting, "totals_form", form)
    if not form.validate_on_submit():
        return _screen(sitting, 422, None, totals_form=form)
    outcome = votes.enter_totals(
        item,
        votes_for=form.votes_for.data,
        votes_against=form.votes_against.data,
        abstentions=form.abstentions.data,
        blank=form.blank.data or 0,
        president_choice=form.president_choice.data or None,
        actor=current_user,
    )
    return _done(sitting, _("Résultat arrêté : %(outcome)s.", outcome=OUTCOME_LABELS[outcome.outcome]))


@bp.post(HELD_ITEM + "/named")
def enter_named(sitting_id: int, item_id: int):
    sitting, item = _chaired_item(sitting_id, item_id)
    form = named_form(roll_call.seats_at(item))
    _on_screen(sitting, "named_form", form)
    if not form.validate_on_submit():
        return _screen(sitting, 422, None, named_form=form)
    choices = {voter_id: form[f"choice_{voter_id}"].data for voter_id, _label in form.voters}
    outcome = votes.enter_named_votes(
        item, {k: v for k, v in choices.items() if v != forms.NO_CHOICE}, actor=current_user
    )
    return _done(sitting, _("Résultat arrêté : %(outcome)s.", outcome=OUTCOME_LABELS[outcome.outcome]))


@bp.post(HELD_ITEM + "/open-vote")
def open_vote(sitting_id: int, item_id: int):
    sitting, item = _chaired_item(sitting_id, item_id)
    _on_screen(sitting)
    _valid_action()
    vote = votes.open_electronic_vote(item, actor=current_user)
    return _done(
        sitting,
        _("Vote ouvert (%(kind)s) : les membres votent depuis leur tablette.", kind=BALLOT_LABELS[vote.ballot_type]),
    )


@bp.post(HELD_ITEM + "/close-vote")
def close_vote(sitting_id: int, item_id: int):
    sitting, item = _chaired_item(sitting_id, item_id)
    _on_screen(sitting)
    _valid_action()
    outcome = votes.close_electronic_vote(item, actor=current_user)
    return _done(sitting, _("Vote clos. Résultat arrêté : %(outcome)s.", outcome=OUTCOME_LABELS[outcome.outcome]))


@bp.post(HELD_ITEM + "/postpone")
def postpone(sitting_id: int, item_id: int):
    sitting, item = _chaired_item(sitting_id, item_id)
    _on_screen(sitting)
    _valid_action()
    votes.postpone_for_lack_of_quorum(item, actor=current_user)
    return _done(sitting, _("Point reporté faute de quorum."))


@bp.post(HELD_ITEM + "/withdraw")
def withdraw(sitting_id: int, item_id: int):
    sitting, item = _chaired_item(sitting_id, item_id)
    form = forms.ReasonForm()
    _on_screen(sitting, "withdraw_form", form)
    if not form.validate_on_submit():
        return _screen(sitting, 422, None, withdraw_form=form)
    votes.withdraw_at_sitting(item, actor=current_user, reason=form.reason.data or _("retiré en séance"))
    return _done(sitting, _("Point retiré en séance."))


@bp.post(HELD_ITEM + "/noted")
def take_note(sitting_id: int, item_id: int):
    sitting, item = _chaired_item(sitting_id, item_id)
    _on_screen(sitting)
    _valid_action()
    votes.take_note(item, actor=current_user)
    return _done(sitting, _("L'assemblée prend acte."))


# --- live state -----------------------------------------------------------------------------------------------


def _phase(state: dict) -> str:
    """What changes the buttons of a page: the sitting's status, the item on the floor, its vote and result."""
    vote, result = state["vote"] or {}, state["result"] or {}
    item = state["item"] or {}
    return f"{state['status']}:{item.get('id', '')}:{vote.get('state') or ''}:{result.get('outcome', '')}"


#: how long a live document is reused by the process that computed it: every tablet of the room polls once a
#: second, and the document of a view is the same for all its readers (nothing personal in it), so 80 tablets
#: cost about two computations a second, not 80. Access is checked before; the staleness stays well under the
#: 2 seconds a ballot may take to reach the secretariat's screen
LIVE_REUSE_SECONDS = 0.5
_live_cache: dict[tuple[int, int, str], tuple[float, dict]] = {}
_live_lock = threading.Lock()


def live_view(sitting: Sitting, who: str) -> dict:
    """The live document of the ``who`` screen (computed at most every ``LIVE_REUSE_SECONDS`` per process)."""
    key = (sitting.tenant_id, sitting.id, who)
    now = time.monotonic()
    with _live_lock:
        found = _live_cache.get(key)
    if found is not None and now - found[0] < LIVE_REUSE_SECONDS:
        return found[1]
    answer = compute_live_view(sitting, who)
    with _live_lock:
        if len(_live_cache) > 1000:  # sittings held at the same time on one process: a handful
            _live_cache.clear()
        _live_cache[key] = (now, answer)
    return answer


def forget_live_view(sitting: Sitting) -> None:
    """A page that has just changed the sitting draws its marks from the new state, not a reused one."""
    with _live_lock:
        for who in LIVE_ENDPOINTS:
            _live_cache.pop((sitting.tenant_id, sitting.id, who), None)


def compute_live_view(sitting: Sitting, who: str) -> dict:
    """The live document of the ``who`` screen: "secretariat" (with who has not voted yet), "member" or "room"."""
    state = votes.live_state(sitting)
    presence, quorum, vote = state["presence"], state["quorum"], state["vote"]
    answer = {
        "phase": _phase(state),
        "now": format_time(utcnow(), tenant=sitting.tenant),
        "presence": None,
        "vote": None,
    }
    if presence is not None:
        ok = quorum["reached"] or quorum["waived"]
        answer["presence"] = {
            "present": presence["present"],
            "remote": presence["remote"],
            "represented": presence["represented"],
            "absent": presence["absent"],
            "in_office": presence["in_office"],
            "quorum_ok": ok,
            "quorum_missing": not ok,
            "quorum_text": _(
                "%(present)s présents comptés pour %(required)s requis (article %(article)s du CGCT)",
                present=quorum["present"],
                required=quorum["required"],
                article=quorum["article"],
            ),
        }
    if vote is not None:
        counts = vote["counts"] or {}
        answer["vote"] = {
            "state": vote["state"],
            "cast": vote["voted"],
            "entitled": vote["entitled"],
            "for": counts.get("for", ""),
            "against": counts.get("against", ""),
            "abstention": counts.get("abstention", ""),
            "result": OUTCOME_LABELS[state["result"]["outcome"]] if state["result"] else "",
        }
        if who == "secretariat" and vote["state"] == VoteState.OPEN.value:
            waiting = [row["name"] for row in votes.not_voted_yet(db.session.get(AgendaItem, state["item"]["id"]))]
            answer["vote"] |= {"waiting": waiting, "waiting_count": len(waiting)}
    payload = json.dumps(answer, sort_keys=True, default=str)
    answer["version"] = hashlib.sha256(payload.encode()).hexdigest()[:16]
    return answer


LIVE_ENDPOINTS = {"secretariat": "votes.live_secretariat", "member": "votes.live_member", "room": "votes.live_room"}


def live_marks(sitting: Sitting, who: str) -> dict:
    """What a page carries for its poll: the route, and the phase and version it was drawn at (computed afresh:
    the page shows the state it read itself)."""
    state = compute_live_view(sitting, who)
    return {
        "url": url_for(LIVE_ENDPOINTS[who], sitting_id=sitting.id),
        "phase": state["phase"],
        "version": state["version"],
    }


def _live_answer(sitting: Sitting, who: str):
    response = jsonify(live_view(sitting, who))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get(SITTING + "/held/live")
def live_secretariat(sitting_id: int):
    return _live_answer(_chaired(sitting_id), "secretariat")


@bp.get(SITTING + "/vote/live")
def live_member(sitting_id: int):
    sitting, _chair = load_held_sitting(g.tenant, sitting_id, current_user)
    return _live_answer(sitting, "member")


@bp.get(SITTING + "/projection/live")
def live_room(sitting_id: int):
    sitting, _chair = load_held_sitting(g.tenant, sitting_id, current_user)
    return _live_answer(sitting, "room")


# --- the projection view --------------------------------------------------------------------------------------


@bp.get(SITTING + "/projection")
def projection(sitting_id: int):
    sitting, _chair = load_held_sitting(g.tenant, sitting_id, current_user)
    live = live_marks(sitting, "room")  # first, as on the tablet
    item = votes.current_item(sitting)
    if item is not None and item.confidential and not _reads_item(sitting, item):
        item = None
    state = compute_live_view(sitting, "room")
    panel = None
    if item is not None:
        vote = votes.vote_of(item)
        panel = {"result": votes.outcome_of(item), "open": vote if vote and vote.state == VoteState.OPEN else None}
    return render_template(
        "sittings/held/projection.html",
        tenant=g.tenant,
        sitting=sitting,
        item=item,
        panel=panel,
        state=state,
        presence=state["presence"],
        live=live,
    )


def _reads_item(sitting: Sitting, item: AgendaItem) -> bool:
    try:
        load_item(sitting, item.id, current_user)
    except NotFound:  # a closed-session item for someone who may not read it
        return False
    return True


# --- the member's tablet --------------------------------------------------------------------------------------


@dataclasses.dataclass
class Slot:
    #: forms.MYSELF, or the giver of the proxy the member holds
    voter: int
    label: str
    voted: bool
    choice: Choice | None


@dataclasses.dataclass
class Declaration:
    item: AgendaItem
    declared: bool
    open: bool


def _tablet_panel(item: AgendaItem) -> dict:
    me = current_user.id
    result = votes.outcome_of(item)
    vote = votes.vote_of(item)
    seats = roll_call.seats_at(item)
    seat = seats.seats.get(me)
    panel = {
        "result": result,
        "open": vote
        if vote is not None and vote.mode == VoteMode.ELECTRONIC and vote.state == VoteState.OPEN
        else None,
        "not_taking_part": bool(seat and seat.not_taking_part),
        "slots": [],
    }
    if panel["open"] is None:
        return panel
    voters = seats.entitled_voters()
    mine = sorted((v for v, casters in voters.items() if me in casters), key=lambda v: (v != me, seats.name(v)))
    cast = (
        dict(
            db.session.execute(
                sa.select(Ballot.voter_id, Ballot.choice).where(Ballot.vote_id == vote.id, Ballot.voter_id.in_(mine))
            ).all()
        )
        if mine
        else {}
    )
    for voter_id in mine:
        label = _("En mon nom") if voter_id == me else _("Au nom de %(name)s (procuration)", name=seats.name(voter_id))
        panel["slots"].append(
            Slot(forms.MYSELF if voter_id == me else voter_id, label, voter_id in cast, cast.get(voter_id))
        )
    return panel


def _declarations(sitting: Sitting) -> list[Declaration]:
    """The agenda with the member's declarations of not taking part: open until the item's vote starts."""
    if sitting.status not in (SittingStatus.CONVENED, SittingStatus.IN_PROGRESS):
        return []
    if current_user.id not in members_in_office(sitting):
        return []
    started = set(db.session.execute(sa.select(ItemVote.item_id).where(ItemVote.sitting_id == sitting.id)).scalars())
    started |= set(
        db.session.execute(sa.select(ItemResult.item_id).where(ItemResult.sitting_id == sitting.id)).scalars()
    )
    rows = []
    for item in active_items(sitting):
        if item.confidential and not _reads_item(sitting, item):
            continue
        declared = any(d.person_id == current_user.id for d in roll_call.not_taking_part(item))
        rows.append(Declaration(item, declared, item.id not in started))
    return rows


def _tablet(sitting: Sitting, status: int = 200, refusal: str | None = None):
    live = live_marks(sitting, "member")  # first: on PostgreSQL each statement reads what is committed by then,
    # so a change committed while the page is drawn makes the page's phase older than its content: it reloads
    item = votes.current_item(sitting)
    if item is not None and item.confidential and not _reads_item(sitting, item):
        item = None
    page = render_template(
        "sittings/held/tablet.html",
        tenant=g.tenant,
        sitting=sitting,
        item=item,
        panel=_tablet_panel(item) if item is not None else None,
        declarations=_declarations(sitting),
        ballot_form=forms.BallotForm(formdata=None),
        refusal=refusal,
        live=live,
    )
    return page, status


@bp.get(SITTING + "/vote")
def tablet(sitting_id: int):
    sitting, _chair = load_held_sitting(g.tenant, sitting_id, current_user)
    return _tablet(sitting)


def _tablet_refusal(sitting: Sitting) -> None:
    on_refusal(lambda error: _tablet(sitting, error.status, error.message))


def _giver(sitting: Sitting, voter_id: int) -> Person:
    """The voter a ballot is for: the member, or a member in office whose proxy the operations will check."""
    if voter_id in (None, forms.MYSELF, current_user.id):
        return current_user
    if voter_id not in members_in_office(sitting):
        raise votes.VoteInputError(_("Choisissez un membre en exercice de cette assemblée."))
    return db.session.get(Person, voter_id)


@bp.post(SITTING + "/vote/items/<int:item_id>/ballot")
def cast(sitting_id: int, item_id: int):
    sitting, _chair = load_held_sitting(g.tenant, sitting_id, current_user)
    item = load_item(sitting, item_id, current_user)
    _tablet_refusal(sitting)
    form = forms.BallotForm()
    if not form.validate_on_submit():
        raise votes.VoteInputError(" ".join(str(e) for errors in form.errors.values() for e in errors))
    voter = _giver(sitting, form.voter.data)
    votes.cast_ballot(item, voter=voter, choice=form.choice.data, actor=current_user)
    commit(db.session)
    forget_live_view(sitting)
    secret = votes.vote_of(item).ballot_type == BallotType.SECRET
    if voter.id == current_user.id:
        message = (
            _("Votre vote est enregistré.")
            if secret
            else _("Votre vote est enregistré : %(choice)s.", choice=CHOICE_LABELS[Choice(form.choice.data)])
        )
    else:
        message = _("Le vote de %(name)s est enregistré.", name=voter.full_name)
    flash(message, "success")
    return redirect(url_for(".tablet", sitting_id=sitting.id))


@bp.post(SITTING + "/vote/items/<int:item_id>/not-taking-part")
def not_taking_part(sitting_id: int, item_id: int):
    sitting, _chair = load_held_sitting(g.tenant, sitting_id, current_user)
    item = load_item(sitting, item_id, current_user)
    _tablet_refusal(sitting)
    form = forms.NotTakingPartForm()
    if not form.validate_on_submit():
        raise votes.VoteInputError(_("Le formulaire a expiré : rechargez la page et recommencez."))
    if form.withdraw.data:
        votes.withdraw_not_taking_part(item, current_user, actor=current_user)
        message = _("Déclaration retirée : vous prenez part au vote sur le point %(n)s.", n=item.position)
    else:
        votes.declare_not_taking_part(item, current_user, actor=current_user, reason=form.reason.data)
        message = _("Vous ne prenez pas part au vote sur le point %(n)s.", n=item.position)
    commit(db.session)
    forget_live_view(sitting)
    flash(message, "success")
    return redirect(url_for(".tablet", sitting_id=sitting.id))
