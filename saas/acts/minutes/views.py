"""The minutes pages (L2121-15) and the list of deliberations (L2121-25, L5211-40-2) of a sitting: the drafted
record (present, represented, quorum, items, results), the substance of the debates per item (the secretary of
the sitting or the secretariat, until approved), « prêt pour approbation », back to draft, the PDF, the approval
and signature state, the « en ligne sous une semaine » deadline; the list: generate, download, its deadlines,
« mis en ligne le », and for an EPCI the sending to the municipal councillors. Members read; refusals are shown
on the page (``on_refusal``)."""

from flask import Response, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from saas.acts.minutes import access, forms
from saas.acts.minutes import operations as minutes_ops
from saas.acts.minutes.models import MINUTES_STATUS_LABELS
from saas.acts.register import record as records
from saas.core.database import commit
from saas.core.errors import on_refusal
from saas.core.extensions import db
from saas.identity.web import tenant_blueprint
from saas.sittings.access import visible_items
from saas.storage.http import send_blob

bp = tenant_blueprint("minutes", __name__)


def _flashed(endpoint: str, sitting_id: int):
    def shown(error):
        flash(str(error), "error")
        return redirect(url_for(endpoint, sitting_id=sitting_id))

    return shown


def _check(form) -> None:
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        errors = [message for messages in form.errors.values() for message in messages]
        raise minutes_ops.MinutesError(" ".join(str(error) for error in errors) or _("Formulaire invalide."))


# --- The minutes ----------------------------------------------------------------------------------------------


@bp.get("/s/<int:sitting_id>/proces-verbal")
def minutes(sitting_id: int):
    sitting, manager, writer = access.load_minutes_sitting(g.tenant, sitting_id, current_user)
    minutes = minutes_ops.minutes_of(sitting)
    record = minutes_ops.record_for(sitting)
    visible = {item.id for item in visible_items(sitting, current_user, manager)}
    items = [item for item in record.items if item.item_id in visible]
    status = minutes.status if minutes is not None else minutes_ops.MinutesStatus.DRAFT
    editable = writer and status not in minutes_ops.FROZEN and sitting.status in minutes_ops.WRITABLE
    return render_template(
        "acts/minutes/minutes.html",
        tenant=g.tenant,
        sitting=sitting,
        manager=manager,
        writer=writer,
        minutes=minutes,
        status=status,
        status_labels=MINUTES_STATUS_LABELS,
        record=record,
        items=items,
        presence=record.presence,
        result_phrase=records.result_phrase,
        quorum_phrase=records.quorum_phrase,
        editable=editable,
        frozen=status in minutes_ops.FROZEN,
        approval_item=minutes_ops.approval_item(minutes) if minutes is not None else None,
        late=minutes_ops.late(
            minutes.online_due_on if minutes else None, minutes.online_on if minutes else None, g.tenant.today()
        ),
        action_form=forms.ActionForm(),
        debate_form=forms.DebateForm,
        online_form=forms.OnlineForm(),
    )


@bp.post("/s/<int:sitting_id>/proces-verbal/points/<int:item_id>")
def save_debate(sitting_id: int, item_id: int):
    sitting = access.load_writable_sitting(g.tenant, sitting_id, current_user)
    item = access.load_item(sitting, item_id)
    on_refusal(_flashed(".minutes", sitting.id))
    form = forms.DebateForm()
    _check(form)
    minutes_ops.save_debate(sitting, item, form.text.data, actor=current_user)
    commit(db.session)
    flash(_("Teneur des débats enregistrée pour « %(title)s ».", title=item.title), "success")
    return redirect(url_for(".minutes", sitting_id=sitting.id, _anchor=f"point-{item.id}"))


@bp.post("/s/<int:sitting_id>/proces-verbal/pret")
def mark_ready(sitting_id: int):
    sitting = access.load_writable_sitting(g.tenant, sitting_id, current_user)
    on_refusal(_flashed(".minutes", sitting.id))
    _check(forms.ActionForm())
    minutes = minutes_ops.mark_ready(sitting, actor=current_user)
    commit(db.session)
    item = minutes_ops.approval_item(minutes)
    if item is not None:
        flash(_("Procès-verbal prêt : son approbation est proposée à la séance suivante."), "success")
    else:
        flash(
            _(
                "Procès-verbal prêt. Aucune séance en préparation : son approbation sera proposée "
                "à la prochaine séance créée."
            ),
            "success",
        )
    return redirect(url_for(".minutes", sitting_id=sitting.id))


@bp.post("/s/<int:sitting_id>/proces-verbal/brouillon")
def back_to_draft(sitting_id: int):
    sitting = access.load_writable_sitting(g.tenant, sitting_id, current_user)
    on_refusal(_flashed(".minutes", sitting.id))
    _check(forms.ActionForm())
    minutes_ops.back_to_draft(sitting, actor=current_user)
    commit(db.session)
    flash(_("Procès-verbal repris en rédaction."), "success")
    return redirect(url_for(".minutes", sitting_id=sitting.id))


@bp.get("/s/<int:sitting_id>/proces-verbal/pdf")
def minutes_pdf(sitting_id: int):
    sitting, _manager, _writer = access.load_minutes_sitting(g.tenant, sitting_id, current_user)
    minutes = minutes_ops.minutes_of(sitting)
    if minutes is not None and minutes.status in minutes_ops.FROZEN:
        blob, _signed = minutes_ops.minutes_file(minutes)
        if blob is not None:
            return send_blob(blob, f"proces-verbal-{sitting.id}.pdf", "application/pdf", inline=True)
    pdf = minutes_ops.render(sitting, minutes)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="proces-verbal-{sitting.id}-projet.pdf"'},
    )


@bp.post("/s/<int:sitting_id>/proces-verbal/en-ligne")
def minutes_online(sitting_id: int):
    sitting = access.load_managed_sitting(g.tenant, sitting_id, current_user)
    minutes = minutes_ops.minutes_of(sitting)
    if minutes is None:
        abort(404)
    on_refusal(_flashed(".minutes", sitting.id))
    form = forms.OnlineForm()
    _check(form)
    minutes_ops.record_minutes_online(minutes, form.online_on.data, actor=current_user)
    commit(db.session)
    flash(_("Date de mise en ligne du procès-verbal enregistrée."), "success")
    return redirect(url_for(".minutes", sitting_id=sitting.id))


# --- The list of deliberations --------------------------------------------------------------------------------


@bp.get("/s/<int:sitting_id>/liste-des-deliberations")
def deliberation_list(sitting_id: int):
    sitting, manager, _writer = access.load_minutes_sitting(g.tenant, sitting_id, current_user)
    rule = minutes_ops.councillors_rule(g.tenant)
    return render_template(
        "acts/minutes/list.html",
        tenant=g.tenant,
        sitting=sitting,
        manager=manager,
        lists=minutes_ops.lists_of(sitting),
        closed=sitting.status.value in ("closed", "archived"),
        councillors_rule=rule,
        councillors=minutes_ops.active_councillors(g.tenant) if rule else [],
        councillor_form=forms.CouncillorForm(),
        import_form=forms.ImportForm(),
        late=minutes_ops.late,
        today=g.tenant.today(),
        action_form=forms.ActionForm(),
        online_form=forms.OnlineForm(),
    )


@bp.post("/s/<int:sitting_id>/liste-des-deliberations")
def generate_list(sitting_id: int):
    sitting = access.load_managed_sitting(g.tenant, sitting_id, current_user)
    on_refusal(_flashed(".deliberation_list", sitting.id))
    _check(forms.ActionForm())
    listing = minutes_ops.generate_list(sitting, actor=current_user)
    commit(db.session)
    flash(_("Liste des délibérations établie (version %(version)d).", version=listing.version), "success")
    return redirect(url_for(".deliberation_list", sitting_id=sitting.id))


@bp.get("/s/<int:sitting_id>/liste-des-deliberations/<int:number>/pdf")
def list_pdf(sitting_id: int, number: int):
    sitting, _manager, _writer = access.load_minutes_sitting(g.tenant, sitting_id, current_user)
    listing = access.load_list(sitting, number)
    return send_blob(
        listing.blob, f"liste-deliberations-{sitting.id}-v{listing.version}.pdf", "application/pdf", inline=True
    )


@bp.post("/s/<int:sitting_id>/liste-des-deliberations/<int:number>/en-ligne")
def list_online(sitting_id: int, number: int):
    sitting = access.load_managed_sitting(g.tenant, sitting_id, current_user)
    listing = access.load_list(sitting, number)
    on_refusal(_flashed(".deliberation_list", sitting.id))
    form = forms.OnlineForm()
    _check(form)
    minutes_ops.record_list_online(listing, form.online_on.data, actor=current_user)
    commit(db.session)
    flash(_("Date de mise en ligne de la liste enregistrée."), "success")
    return redirect(url_for(".deliberation_list", sitting_id=sitting.id))


@bp.post("/s/<int:sitting_id>/liste-des-deliberations/<int:number>/envoi")
def send_list(sitting_id: int, number: int):
    sitting = access.load_managed_sitting(g.tenant, sitting_id, current_user)
    listing = access.load_list(sitting, number)
    on_refusal(_flashed(".deliberation_list", sitting.id))
    _check(forms.ActionForm())
    count = minutes_ops.send_to_councillors(listing, actor=current_user)
    commit(db.session)
    flash(_("Liste adressée à %(count)d conseillers municipaux.", count=count), "success")
    return redirect(url_for(".deliberation_list", sitting_id=sitting.id))


# --- The municipal councillors of the member communes (an EPCI) -----------------------------------------------


def _councillors_back(sitting_id: int):
    return _flashed(".deliberation_list", sitting_id)


def _managed_epci(sitting_id: int):
    return access.load_councillors_sitting(g.tenant, sitting_id, current_user)


@bp.post("/s/<int:sitting_id>/liste-des-deliberations/conseillers")
def add_councillor(sitting_id: int):
    sitting = _managed_epci(sitting_id)
    on_refusal(_councillors_back(sitting.id))
    form = forms.CouncillorForm()
    _check(form)
    councillor = minutes_ops.add_councillor(
        g.tenant, full_name=form.full_name.data, email=form.email.data, commune=form.commune.data, actor=current_user
    )
    commit(db.session)
    flash(_("%(name)s ajouté à la liste des conseillers municipaux.", name=councillor.full_name), "success")
    return redirect(url_for(".deliberation_list", sitting_id=sitting.id, _anchor="conseillers"))


@bp.post("/s/<int:sitting_id>/liste-des-deliberations/conseillers/import")
def import_councillors(sitting_id: int):
    sitting = _managed_epci(sitting_id)
    on_refusal(_councillors_back(sitting.id))
    form = forms.ImportForm()
    _check(form)
    added, skipped = minutes_ops.import_councillors(g.tenant, form.text.data, actor=current_user)
    commit(db.session)
    flash(_("%(added)d conseillers ajoutés, %(skipped)d déjà présents.", added=added, skipped=skipped), "success")
    return redirect(url_for(".deliberation_list", sitting_id=sitting.id, _anchor="conseillers"))


@bp.post("/s/<int:sitting_id>/liste-des-deliberations/conseillers/<int:councillor_id>/archive")
def archive_councillor(sitting_id: int, councillor_id: int):
    sitting = _managed_epci(sitting_id)
    councillor = access.load_councillor(g.tenant, councillor_id)
    on_refusal(_councillors_back(sitting.id))
    _check(forms.ActionForm())
    minutes_ops.archive_councillor(councillor, actor=current_user)
    commit(db.session)
    flash(_("%(name)s retiré de la liste (archivé).", name=councillor.full_name), "success")
    return redirect(url_for(".deliberation_list", sitting_id=sitting.id, _anchor="conseillers"))
