"""The console's figures (/group/usage, /group/statements, /group/paper): licences and usage, the cost
statements with each member's PDF and CSV, and the paper saved. Counts only, never a collectivity's
contents."""

from datetime import date

from flask import abort, render_template, request
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from saas.core.errors import on_refusal, show_on
from saas.groupement import charts, forms, operations
from saas.groupement.console import (
    attachment,
    console_blueprint,
    done,
    load,
    load_group,
    me,
)
from saas.groupement.models import SharingKey, Statement
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
    members = operations.active_memberships(group)
    form = forms.statement_form(members)
    contracts = {c.id: c for c in operations.contracts(group)}
    form.contract.choices = [SelectChoice(c.id, f"{c.reference} — {c.title}") for c in contracts.values()]
    if form.validate_on_submit():
        on_refusal(lambda error: _statement_page(show_on(form, error)))
        key = SharingKey(form.key.data)
        percentages = {m.tenant_id: f.number for m, f in zip(members, form.percent_fields, strict=True)}
        statement = statements.issue(
            group,
            contracts[form.contract.data],
            form.period.data,
            key,
            form.includes_equipment.data,
            me(),
            percentages if key == SharingKey.FIXED else None,
        )
        return done(_("État de répartition émis."), ".statement", statement_id=statement.id)
    return _statement_page(form), 422 if request.method == "POST" else 200


def _statement_page(form) -> str:
    return render_template("groupement/statement_new.html", form=form)


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
