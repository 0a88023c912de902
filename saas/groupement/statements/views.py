"""The console's figures (/group/usage, /group/statements, /group/paper): licences and usage, the cost
statements with each member's PDF and CSV, and the paper saved. Counts only, never a collectivity's
contents."""

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import abort, render_template, request
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from saas.groupement import charts, forms, operations
from saas.groupement.console import (
    attachment,
    console_blueprint,
    done,
    load,
    load_group,
    me,
    refused,
)
from saas.groupement.models import SharingKey, Statement
from saas.groupement.operations import PurchasingError
from saas.groupement.statements import operations as statements
from saas.groupement.statements import reports
from saas.groupement.statements.access import load_member_statement

bp = console_blueprint("groupement_statements", __name__)


def _date_arg(name: str, default: date) -> date:
    value = request.args.get(name)
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400)


@bp.get("/usage")
def usage():
    group = load_group()
    today = date.today()
    start, end = _date_arg("start", today.replace(day=1)), _date_arg("end", today)
    if end < start:
        start, end = end, start
    return render_template("groupement/usage.html", rows=reports.usage(group, start, end), start=start, end=end)


@bp.get("/statements")
def statements_list():
    return render_template("groupement/statements.html", statements=statements.statements(load_group()))


@bp.route("/statements/new", methods=["GET", "POST"])
def create_statement():
    group = load_group()
    form = forms.StatementForm()
    contracts = {c.id: c for c in operations.contracts(group)}
    form.contract.choices = [SelectChoice(c.id, f"{c.reference} — {c.title}") for c in contracts.values()]
    members = operations.active_memberships(group)
    percentages_given = {m.tenant_id: request.form.get(f"percent-{m.tenant_id}", "") for m in members}
    if form.validate_on_submit():
        key = SharingKey(form.key.data)
        try:
            percentages = _percentages(percentages_given) if key == SharingKey.FIXED else None
            statement = statements.issue(
                group,
                contracts[form.contract.data],
                form.period.data,
                key,
                form.includes_equipment.data,
                me(),
                percentages,
            )
        except PurchasingError as error:
            refused(form, error)
        else:
            return done(_("État de répartition émis."), ".statement", statement_id=statement.id)
    page = render_template("groupement/statement_new.html", form=form, members=members, percentages=percentages_given)
    return page, 422 if request.method == "POST" else 200


def _percentages(given: dict[int, str]) -> dict[int, Decimal]:
    try:
        return {tenant_id: Decimal(value.replace(",", ".").strip() or "0") for tenant_id, value in given.items()}
    except InvalidOperation as error:
        raise PurchasingError(_("Chaque pourcentage est un nombre, par exemple 25 ou 12,5."), "key") from error


@bp.get("/statements/<int:statement_id>")
def statement(statement_id: int):
    group, statement = load(Statement, statement_id)
    members = {m.tenant_id: m for m in operations.memberships(group)}
    return render_template(
        "groupement/statement.html",
        statement=statement,
        members=members,
        totals=statements.totals(statement),
        items=statements.invoiced_items(statement.contract, statement.includes_equipment),
        key_label=statements.KEY_LABELS[statement.key],
    )


@bp.get("/statements/<int:statement_id>/members/<int:membership_id>.pdf")
def statement_pdf(statement_id: int, membership_id: int):
    group, statement, membership = load_member_statement(statement_id, membership_id)
    filename = f"repartition-{membership.tenant.slug}-{statement.period}.pdf"
    return attachment(statements.member_pdf(statement, membership, group), "application/pdf", filename)


@bp.get("/statements/<int:statement_id>/members/<int:membership_id>.csv")
def statement_csv(statement_id: int, membership_id: int):
    statement, membership = load_member_statement(statement_id, membership_id)[1:]
    filename = f"repartition-{membership.tenant.slug}-{statement.period}.csv"
    return attachment(statements.member_csv(statement, membership), "text/csv", filename)


@bp.get("/paper")
def paper():
    paper = reports.paper_saved(load_group())
    names = list(paper.tenants.values())
    values = {(paper.tenants[t], month): pages for (t, month), pages in paper.pages.items()}
    chart = charts.grouped_bars(
        _("Pages diffusées sous forme numérique, par collectivité et par mois"),
        _(
            "Chaque barre porte son nombre de pages ; chaque collectivité a son motif."
            " Le tableau donne les mêmes chiffres."
        ),
        paper.months,
        names,
        values,
    )
    return render_template("groupement/paper.html", paper=paper, chart=chart)
