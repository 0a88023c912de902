"""Sitting screens: the secretary prepares and convenes, members answer; and "Mes séances", the inbox.

Thin views: load what the URL names (404 if missing or another tenant's), check access, call the domain
operations (which hold every rule), commit once. A refusal of the domain (SittingError, in French) is
shown next to the form that caused it, with status 422: each view names that page with ``on_refusal`` and
the one refusal handler (``saas.core.errors``) rolls back and answers it.
"""

from itertools import groupby

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from saas.core import display
from saas.core.database import commit, write_apart
from saas.core.errors import on_refusal
from saas.core.extensions import db
from saas.documents.readings import read_versions
from saas.identity.access import can_manage
from saas.identity.models import Person
from saas.identity.web import tenant_blueprint
from saas.sittings import forms, inbox, notice, operations
from saas.sittings.access import load_managed_assembly, load_sitting, visible_items
from saas.sittings.attendance import operations as attendance
from saas.sittings.convocations import operations as convening
from saas.sittings.convocations.evidence import evidence_download
from saas.sittings.convocations.models import NOTICE_TITLES
from saas.sittings.convocations.operations import convocation_progress, send_convocations
from saas.sittings.models import STATUS_LABELS, TRANSITIONS, AgendaItem, AttendanceAnswer, Sitting, SittingStatus
from saas.sittings.operations import GENERIC_STATUSES, colleagues
from saas.sittings.presentation import BADGE_COLOURS, MEMBER_ANSWERS, labels, local_day_and_time, to_utc
from saas.sittings.proof import operations as proof
from saas.sittings.roll_call import operations as roll_call
from saas.sittings.roll_call.models import SEAT_LABELS
from saas.sittings.votes import operations as votes
from saas.tenancy.legal_rules import tenant_rules
from saas.tenancy.models import Tenant

bp = tenant_blueprint("sittings", __name__)
bp.context_processor(labels)


@bp.app_context_processor
def convening_helpers():
    """The convocation box (sittings/_convocation.html, _proof.html) reads the sending's progress and the
    number of proofs, wherever the page that includes it is rendered."""
    return {"convocation_progress": convocation_progress, "proof_count": lambda sitting: len(proof.records(sitting))}


inbox_bp = Blueprint("sittings_inbox", __name__)


# --- Shared with the API --------------------------------------------------------------------------


# --- Secretary: sittings of an assembly -----------------------------------------------------------


@bp.get("/a/<int:assembly_id>/sittings")
def assembly_sittings(assembly_id: int):
    assembly = load_managed_assembly(g.tenant, assembly_id, current_user)
    sittings = db.session.execute(
        sa.select(Sitting).where(Sitting.assembly_id == assembly.id).order_by(Sitting.starts_at.desc(), Sitting.id)
    ).scalars()
    return render_template("sittings/list.html", tenant=g.tenant, assembly=assembly, sittings=list(sittings))


@bp.route("/a/<int:assembly_id>/sittings/new", methods=["GET", "POST"])
def create_sitting(assembly_id: int):
    assembly = load_managed_assembly(g.tenant, assembly_id, current_user)
    form = forms.SittingForm()
    on_refusal(lambda error: _new_sitting_page(assembly, _above(form, error), 422))
    if form.validate_on_submit():
        sitting = operations.create_sitting(
            g.tenant,
            assembly,
            starts_at=to_utc(g.tenant, form.day.data, form.time.data),
            place=form.place.data,
            remote_allowed=form.remote_allowed.data,
            urgency=form.urgency.data,
            urgency_reason=form.urgency_reason.data,
            first_after_renewal=form.first_after_renewal.data,
            actor=current_user,
        )
        commit(db.session)
        flash(_("Séance créée : ajoutez son ordre du jour."), "success")
        return redirect(url_for(".sitting", sitting_id=sitting.id))
    return _new_sitting_page(assembly, form, 422 if request.method == "POST" else 200)


def _above(form, error):
    """The refusal above the form (``form_errors``), whatever field it names; returns the form."""
    form.form_errors.append(error.message)
    return form


def _new_sitting_page(assembly, form: forms.SittingForm, status: int):
    rules = tenant_rules(g.tenant)
    page = render_template(
        "sittings/new.html",
        tenant=g.tenant,
        assembly=assembly,
        form=form,
        renewal_days=rules.renewal_notice_days,
        renewal_article=rules.renewal_notice_article,
    )
    return page, status


# --- The sitting page (secretary and members) -----------------------------------------------------


def _page(sitting: Sitting, manager: bool, status: int = 200, refusal: str | None = None, **forms_given):
    """The sitting page; ``forms_given`` replaces a form by the refused one, shown with its errors."""
    me = current_user
    item_form = forms_given.get("item_form") or forms.ItemForm()
    item_form.rapporteur.choices = [(forms.NO_RAPPORTEUR, _("— Aucun —"))] + [
        (p.id, p.full_name) for p in colleagues(sitting)
    ]
    status_form = forms_given.get("status_form") or forms.StatusForm()
    status_form.status.choices = [
        (s.value, STATUS_LABELS[s]) for s in GENERIC_STATUSES if s in TRANSITIONS[sitting.status]
    ]
    supplement_form = forms_given.get("supplement_form") or forms.ItemForm(prefix="supplement")
    supplement_form.rapporteur.choices = item_form.rapporteur.choices
    mine = attendance.attendance_of(sitting, me.id)
    answer_form = forms_given.get("answer_form") or forms.AttendanceForm(answer=mine.answer.value if mine else None)
    answer_form.answer.choices = [
        (a.value, forms.ANSWER_LABELS[a])
        for a in MEMBER_ANSWERS
        if a != AttendanceAnswer.REMOTE or sitting.remote_allowed
    ]
    proxy_form = forms_given.get("proxy_form") or forms.ProxyForm()
    proxy_form.holder.choices = [(p.id, p.full_name) for p in colleagues(sitting, exclude=me.id)]
    items = visible_items(sitting, me, manager)
    seated = operations.current_mandate(me.id, sitting) is not None
    context = {
        "tenant": g.tenant,
        "sitting": sitting,
        "manager": manager,
        "items": items,
        "answers_open": attendance.answers_open(sitting),
        "seated": seated,
        #: versions the member has downloaded: the others are marked "nouveau" (members only)
        "read_versions": read_versions(me.id, [item.id for item in items]) if seated else None,
        "voting": operations.current_mandate(me.id, sitting, operations.VOTING_ROLES) is not None,
        "my_answer": mine,
        "my_proxy": attendance.active_proxy(sitting, giver_id=me.id),
        "held_proxy": attendance.active_proxy(sitting, holder_id=me.id),
        "item_form": item_form,
        "supplement_form": supplement_form,
        "status_form": status_form,
        "answer_form": answer_form,
        "proxy_form": proxy_form,
        "action_form": forms.ActionForm(),
        "refusal": refusal,
        "rules": tenant_rules(g.tenant),
        "notice_labels": NOTICE_TITLES,
    }
    if manager:
        context["deadline"] = notice.latest_sending_time(g.tenant, sitting)
        context["board"] = attendance.attendance_board(sitting)
        context["notices"] = convening.notices_of(sitting)
        context["reconvened"] = convening.reconvened_sittings(sitting)
        context["lacking_quorum"] = votes.items_lacking_quorum(sitting)
        held = sitting.status in (SittingStatus.IN_PROGRESS, SittingStatus.CLOSED, SittingStatus.ARCHIVED)
        context["held_roll_call"] = roll_call.roll_call(sitting) if held else None
        context["seat_labels"] = SEAT_LABELS
    return render_template("sittings/sitting.html", **context), status


def _done(sitting: Sitting, message: str):
    commit(db.session)
    flash(message, "success")
    return redirect(url_for(".sitting", sitting_id=sitting.id))


@bp.get("/s/<int:sitting_id>")
def sitting(sitting_id: int):
    sitting, manager = load_sitting(g.tenant, sitting_id, current_user)
    opening = proof.unrecorded_opening(sitting, current_user)  # the member's first opening (legal proof)
    if opening is not None:
        with write_apart(db.session):
            proof.keep_opening(opening)
    return _page(sitting, manager)


def _managed(sitting_id: int) -> Sitting:
    sitting, manager = load_sitting(g.tenant, sitting_id, current_user)
    if not manager:
        abort(404)
    return sitting


def _item(sitting: Sitting, item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, item_id)
    if item is None or item.tenant_id != g.tenant.id or item.sitting_id != sitting.id:
        abort(404)
    return item


@bp.post("/s/<int:sitting_id>/items")
def add_item(sitting_id: int):
    sitting = _managed(sitting_id)
    form = forms.ItemForm()
    form.rapporteur.choices = [(forms.NO_RAPPORTEUR, "")] + [(p.id, p.full_name) for p in colleagues(sitting)]
    on_refusal(lambda error: _page(sitting, True, 422, item_form=_above(form, error)))
    if form.validate_on_submit():
        rapporteur = db.session.get(Person, form.rapporteur.data) if form.rapporteur.data else None
        operations.add_item(
            sitting,
            title=form.title.data,
            rapporteur=rapporteur,
            subject_code=form.subject_code.data,
            committee_opinion=form.committee_opinion.data,
            confidential=form.confidential.data,
            actor=current_user,
        )
        return _done(sitting, _("Point ajouté à l'ordre du jour."))
    return _page(sitting, True, 422, item_form=form)


def _move(sitting_id: int, item_id: int, step: int):
    sitting = _managed(sitting_id)
    item = _item(sitting, item_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    order = [i.id for i in operations.active_items(sitting)]
    if item.id not in order:
        return _refused(sitting, _("Ce point a été retiré de l'ordre du jour."))
    index = order.index(item.id)
    other = index + step
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    _refusal_on_top(sitting)
    operations.reorder_items(sitting, order, actor=current_user)
    return _done(sitting, _("Ordre du jour modifié."))


@bp.post("/s/<int:sitting_id>/items/<int:item_id>/up")
def move_up(sitting_id: int, item_id: int):
    return _move(sitting_id, item_id, -1)


@bp.post("/s/<int:sitting_id>/items/<int:item_id>/down")
def move_down(sitting_id: int, item_id: int):
    return _move(sitting_id, item_id, 1)


@bp.post("/s/<int:sitting_id>/items/<int:item_id>/withdraw")
def withdraw_item(sitting_id: int, item_id: int):
    sitting = _managed(sitting_id)
    item = _item(sitting, item_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    _refusal_on_top(sitting)
    operations.withdraw_item(item, actor=current_user)
    return _done(sitting, _("Point retiré de l'ordre du jour."))


def _refused(sitting: Sitting, message: str):
    """A refused button: the page again with the French reason on top, status 422."""
    return _page(sitting, can_manage(current_user, "secretary", g.tenant, sitting.assembly), 422, refusal=message)


def _refusal_on_top(sitting: Sitting) -> None:
    """A refusal of this button is shown on the sitting page, on top (the one handler rolls back first)."""
    on_refusal(lambda error: _refused(sitting, error.message))


@bp.post("/s/<int:sitting_id>/status")
def change_status(sitting_id: int):
    """Only convening: "en cours" and "close" are refused (409), the opening and the closing being operations
    of their own; a cancellation has its own page (its reason, the members told)."""
    sitting = _managed(sitting_id)
    form = forms.StatusForm()
    form.status.choices = [(s.value, STATUS_LABELS[s]) for s in SittingStatus]
    on_refusal(lambda error: _page(sitting, True, error.status, refusal=error.message, status_form=form))
    if form.validate_on_submit():
        if form.status.data == SittingStatus.CONVENED.value:
            send_convocations(sitting, current_user)  # convening always sends the convocations
        else:
            operations.change_status(sitting, form.status.data, actor=current_user)
        return _done(sitting, _("La séance est maintenant %(status)s.", status=STATUS_LABELS[sitting.status]))
    return _page(sitting, True, 422, status_form=form)


# --- Secretary: changing, cancelling, reconvening -------------------------------------------------


def _edit_page(sitting: Sitting, form: forms.EditSittingForm, status: int = 200):
    return render_template("sittings/edit.html", tenant=g.tenant, sitting=sitting, form=form), status


@bp.route("/s/<int:sitting_id>/edit", methods=["GET", "POST"])
def edit_sitting(sitting_id: int):
    """In preparation, the sitting changes freely; convened, a change is a new convocation to every member,
    with its reason and its notice check (a postponement is one of them)."""
    sitting = _managed(sitting_id)
    if sitting.status not in (SittingStatus.DRAFT, SittingStatus.CONVENED):
        label = STATUS_LABELS[sitting.status]
        return _refused(sitting, _("La séance est %(status)s : elle ne peut plus être modifiée.", status=label))
    if request.method == "GET":
        day, time = local_day_and_time(g.tenant, sitting.starts_at)
        form = forms.EditSittingForm(obj=sitting, day=day, time=time)
    else:
        form = forms.EditSittingForm()
    on_refusal(lambda error: _edit_page(sitting, _above(form, error), 422))
    if form.validate_on_submit():
        changes = {
            "starts_at": to_utc(g.tenant, form.day.data, form.time.data),
            "place": form.place.data,
            "remote_allowed": form.remote_allowed.data,
            "urgency": form.urgency.data,
            "urgency_reason": form.urgency_reason.data,
            "first_after_renewal": form.first_after_renewal.data,
        }
        if sitting.status == SittingStatus.DRAFT:
            operations.update_sitting(sitting, actor=current_user, **changes)
            return _done(sitting, _("Séance modifiée."))
        sent = convening.reissue_convocation(
            sitting, actor=current_user, reason=form.reason.data, postponed=form.postponed.data, **changes
        )
        if sent is None:
            return _done(sitting, _("Séance modifiée : les convocations porteront les nouvelles indications."))
        return _done(sitting, _("Séance modifiée : une nouvelle convocation part à chaque membre convoqué."))
    return _edit_page(sitting, form, 422 if request.method == "POST" else 200)


@bp.post("/s/<int:sitting_id>/supplement")
def add_supplement(sitting_id: int):
    """An item added after convening: a convocation complémentaire to every member, with its notice check."""
    sitting = _managed(sitting_id)
    form = forms.ItemForm(prefix="supplement")
    form.rapporteur.choices = [(forms.NO_RAPPORTEUR, "")] + [(p.id, p.full_name) for p in colleagues(sitting)]
    on_refusal(lambda error: _page(sitting, True, 422, supplement_form=_above(form, error)))
    if form.validate_on_submit():
        rapporteur = db.session.get(Person, form.rapporteur.data) if form.rapporteur.data else None
        convening.add_supplement_item(
            sitting,
            title=form.title.data,
            rapporteur=rapporteur,
            subject_code=form.subject_code.data,
            committee_opinion=form.committee_opinion.data,
            confidential=form.confidential.data,
            actor=current_user,
        )
        return _done(sitting, _("Point ajouté : la convocation complémentaire part à chaque membre convoqué."))
    return _page(sitting, True, 422, supplement_form=form)


def _cancel_page(sitting: Sitting, form: forms.CancelForm, status: int = 200):
    told = len(convening.convocations_of(sitting))
    return render_template("sittings/cancel.html", tenant=g.tenant, sitting=sitting, form=form, told=told), status


@bp.route("/s/<int:sitting_id>/cancel", methods=["GET", "POST"])
def cancel_sitting(sitting_id: int):
    """Cancel with a reason; if convened, every member convened is told by mail, and the proof is kept."""
    sitting = _managed(sitting_id)
    form = forms.CancelForm()
    on_refusal(lambda error: _cancel_page(sitting, _above(form, error), 422))
    if form.validate_on_submit():
        told = convening.cancel_sitting(sitting, actor=current_user, reason=form.reason.data)
        if told is None:
            return _done(sitting, _("Séance annulée."))
        return _done(sitting, _("Séance annulée : chaque membre convoqué en est informé par courriel."))
    return _cancel_page(sitting, form, 422 if request.method == "POST" else 200)


def _reconvene_form(sitting: Sitting, form: forms.ReconveneForm | None = None) -> forms.ReconveneForm:
    form = form or forms.ReconveneForm()
    form.items.choices = [(item.id, f"{item.position}. {item.title}") for item in votes.items_lacking_quorum(sitting)]
    return form


def _reconvene_page(sitting: Sitting, form: forms.ReconveneForm, status: int = 200):
    rules = tenant_rules(g.tenant)
    page = render_template(
        "sittings/reconvene.html",
        tenant=g.tenant,
        sitting=sitting,
        form=form,
        days=rules.quorum_failed_reconvene_days,
        article=rules.quorum_article,
        wording=rules.quorum_failed_wording,
    )
    return page, status


@bp.route("/s/<int:sitting_id>/reconvene", methods=["GET", "POST"])
def reconvene(sitting_id: int):
    """After a failed quorum: the secretariat ticks the items and convenes the new sitting, held without
    quorum condition at least the law's days later."""
    sitting = _managed(sitting_id)
    if request.method == "GET":
        form = _reconvene_form(sitting, forms.ReconveneForm(place=sitting.place))
    else:
        form = _reconvene_form(sitting)
    on_refusal(lambda error: _reconvene_page(sitting, _above(form, error), 422))
    if form.validate_on_submit():
        chosen = {item.id: item for item in operations.active_items(sitting)}
        ids = form.items.data or []
        if any(item_id not in chosen for item_id in ids):
            abort(404)
        new = convening.reconvene_without_quorum(
            sitting,
            [chosen[item_id] for item_id in ids],
            to_utc(g.tenant, form.day.data, form.time.data),
            place=form.place.data,
            actor=current_user,
        )
        commit(db.session)
        flash(_("Nouvelle séance convoquée : elle délibère sans condition de quorum."), "success")
        return redirect(url_for(".sitting", sitting_id=new.id))
    return _reconvene_page(sitting, form, 422 if request.method == "POST" else 200)


# --- Members: attendance and proxies --------------------------------------------------------------


@bp.post("/s/<int:sitting_id>/attendance")
def answer(sitting_id: int):
    sitting, manager = load_sitting(g.tenant, sitting_id, current_user)
    form = forms.AttendanceForm()
    form.answer.choices = [(a.value, forms.ANSWER_LABELS[a]) for a in MEMBER_ANSWERS]
    on_refusal(lambda error: _page(sitting, manager, 422, answer_form=_above(form, error)))
    if form.validate_on_submit():
        attendance.answer_attendance(current_user, sitting, AttendanceAnswer(form.answer.data))
        return _done(sitting, _("Votre réponse est enregistrée."))
    return _page(sitting, manager, 422, answer_form=form)


@bp.post("/s/<int:sitting_id>/proxy")
def give_proxy(sitting_id: int):
    sitting, manager = load_sitting(g.tenant, sitting_id, current_user)
    form = forms.ProxyForm()
    form.holder.choices = [(p.id, p.full_name) for p in colleagues(sitting, exclude=current_user.id)]
    on_refusal(lambda error: _page(sitting, manager, 422, proxy_form=_above(form, error)))
    if form.validate_on_submit():
        holder = db.session.get(Person, form.holder.data)
        attendance.give_proxy(current_user, holder, sitting, illness=form.illness.data)
        return _done(sitting, _("Procuration donnée à %(name)s.", name=holder.full_name))
    return _page(sitting, manager, 422, proxy_form=form)


@bp.post("/s/<int:sitting_id>/proxy/revoke")
def revoke_proxy(sitting_id: int):
    sitting, manager = load_sitting(g.tenant, sitting_id, current_user)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    proxy = attendance.active_proxy(sitting, giver_id=current_user.id)
    if proxy is None:
        return _refused(sitting, _("Vous n'avez pas donné de procuration pour cette séance."))
    _refusal_on_top(sitting)
    attendance.revoke_proxy(proxy, actor=current_user)
    return _done(sitting, _("Procuration retirée : vous êtes indiqué absent jusqu'à votre nouvelle réponse."))


# --- "Mes séances": every upcoming sitting of every mandate ---------------------------------------


@bp.post("/s/<int:sitting_id>/convocations")
def convene(sitting_id: int):
    """ "Convoquer": the convocations leave (jobs); a refusal (notice too short…) shows the page again."""
    sitting = _managed(sitting_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    _refusal_on_top(sitting)
    convocations = send_convocations(sitting, current_user)
    commit(db.session)
    flash(_("Convocations en cours d'envoi : %(count)d destinataires.", count=len(convocations)), "success")
    return redirect(url_for(".sitting", sitting_id=sitting_id))


@bp.get("/s/<int:sitting_id>/convocations/progress")
def sending_progress(sitting_id: int):
    sent, total = convocation_progress(_managed(sitting_id))
    return jsonify(sent=sent, total=total, done=total > 0 and sent == total)


@bp.get("/s/<int:sitting_id>/evidence.zip")
def evidence_zip(sitting_id: int):
    """The evidence package, for the secretariat only (it lists every member's e-mail and openings)."""
    return evidence_download(_managed(sitting_id))


@inbox_bp.get("/seances")
@login_required
def my_sittings():
    entries = inbox.inbox_for(current_user)
    zones = dict(
        db.session.execute(
            sa.select(Tenant.id, Tenant.timezone).where(Tenant.id.in_({e.tenant_id for e in entries}))
        ).all()
    )
    rows = [(entry, zones[entry.tenant_id]) for entry in entries]
    days = [
        (
            display.format_date(day, "full"),
            [(entry, display.format_time(entry.starts_at, tenant=zone)) for entry, zone in group],
        )
        for day, group in groupby(rows, key=lambda row: display.local(row[0].starts_at, row[1]).date())
    ]
    return render_template(
        "sittings/inbox.html",
        days=days,
        answer_labels=forms.ANSWER_LABELS,
        status_labels=STATUS_LABELS,
        badge_colours=BADGE_COLOURS,
    )
