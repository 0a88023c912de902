"""The page the convocation mail's signed link opens: answer present, remote, absent or proxy, no login.

Public (no session needed): the token is the credential, and it reaches only its person's answer to its
sitting. An altered or unknown token, or one for someone who no longer sits there, answers 404; a genuine
one once the sitting has opened answers 410. Both on a French page of their own. The answer goes through
the same operations as the sitting page (one proxy per holder, holder notified), audited with the
channel "lien".
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from saas.core.database import commit
from saas.core.errors import on_refusal
from saas.core.extensions import db
from saas.sittings import forms, operations
from saas.sittings.attendance import operations as attendance
from saas.sittings.attendance.link import LinkExpired, LinkInvalid, resolve
from saas.sittings.models import AttendanceAnswer
from saas.sittings.operations import colleagues
from saas.sittings.presentation import MEMBER_ANSWERS, local_datetime
from saas.tenancy.legal_rules import tenant_rules

bp = Blueprint("attendance_link", __name__)


def _refused(code: int, message: str):
    return render_template("sittings/link_refused.html", code=code, message=message), code


def _form(sitting, voting: bool, holders: dict) -> forms.LinkAnswerForm:
    """The sitting page's choices: remote only if allowed, proxy only for those who vote."""
    form = forms.LinkAnswerForm()
    answers = [a for a in MEMBER_ANSWERS if a != AttendanceAnswer.REMOTE or sitting.remote_allowed]
    if voting:
        answers.append(AttendanceAnswer.PROXY)
    form.answer.choices = [(a.value, forms.ANSWER_LABELS[a]) for a in answers]
    form.holder.choices = [(forms.NO_HOLDER, _("— Personne —"))] + [(p.id, p.full_name) for p in holders.values()]
    return form


@bp.route("/presence/<token>", methods=["GET", "POST"])
def answer(token: str):
    try:
        sitting, person = resolve(token)
    except LinkInvalid:
        return _refused(
            404,
            _(
                "Ce lien de réponse n'est pas valide : vérifiez qu'il est complet, ou répondez "
                "depuis la page de la séance dans Quorum."
            ),
        )
    except LinkExpired:
        return _refused(
            410, _("La séance est ouverte ou terminée : ce lien a expiré et la réponse ne peut plus être modifiée.")
        )
    voting = operations.current_mandate(person.id, sitting, operations.VOTING_ROLES) is not None
    holders = {p.id: p for p in colleagues(sitting, exclude=person.id)} if voting else {}
    form = _form(sitting, voting, holders)
    on_refusal(lambda error: _answer_page(sitting, person, _above(form, error), 422))
    if form.validate_on_submit():
        choice = AttendanceAnswer(form.answer.data)
        if choice == AttendanceAnswer.PROXY:
            holder = holders[form.holder.data]
            attendance.give_proxy(person, holder, sitting, illness=form.illness.data, channel=attendance.LINK_CHANNEL)
            message = _("Procuration donnée à %(name)s.", name=holder.full_name)
        else:
            attendance.answer_attendance(person, sitting, choice, channel=attendance.LINK_CHANNEL)
            message = _("Votre réponse est enregistrée.")
        commit(db.session)
        flash(message, "success")
        return redirect(url_for(".answer", token=token))
    return _answer_page(sitting, person, form, 422 if request.method == "POST" else 200)


def _above(form, error):
    """A refusal of the domain above the form (``form_errors``); returns the form."""
    form.form_errors.append(error.message)
    return form


def _answer_page(sitting, person, form: forms.LinkAnswerForm, status: int):
    """The answer page: the person's current answer and proxies, and the form (with its errors)."""
    mine = attendance.attendance_of(sitting, person.id)
    if request.method == "GET" and mine is not None and mine.answer.value in dict(form.answer.choices):
        form.answer.data = mine.answer.value
    page = render_template(
        "sittings/link.html",
        sitting=sitting,
        person=person,
        tenant=sitting.tenant,
        when=local_datetime(sitting.tenant, sitting.starts_at),
        my_answer=mine,
        my_proxy=attendance.active_proxy(sitting, giver_id=person.id),
        held_proxy=attendance.active_proxy(sitting, holder_id=person.id),
        answer_labels=forms.ANSWER_LABELS,
        proxy_article=tenant_rules(sitting.tenant).proxy_article,
        form=form,
    )
    return page, status
