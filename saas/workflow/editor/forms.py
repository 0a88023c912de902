"""The editor's forms (Flask-WTF). A step's form reads and writes one step of the TOML format; what it
cannot check itself (a role without its assembly, a refusal to a later step…) the schema of the files
refuses, and ``show_problems`` puts each French message next to its field."""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from saas.core.errors import show_on
from saas.identity.mandates.labels import ASSEMBLY_KIND_LABELS, ROLE_LABELS
from saas.tenancy.models import AssemblyKind
from saas.workflow import labels
from saas.workflow.definitions import KEY, TARGET_ASSEMBLY, WorkflowError

REQUIRED = _l("Ce champ est obligatoire.")
NONE = ""
DEADLINES = {
    NONE: _l("Aucun délai"),
    "days_after_arrival": _l("Jours après l'arrivée de l'étape"),
    "days_before_sitting": _l("Jours avant la séance visée"),
}
METADATA = r"^\s*([a-z_]{1,40}(\s*,\s*[a-z_]{1,40})*)?\s*$"
#: a dry run's sitting: from a year ago to five years ahead
DRY_RUN_PAST, DRY_RUN_FUTURE = timedelta(days=366), timedelta(days=5 * 366)


def _choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class ActionForm(FlaskForm):
    """A button that changes something (adopt, move, remove, retire, delete): the CSRF token, and for adopting
    the template's key."""

    key = StringField(validators=[Optional(), Length(max=63)])


class DefinitionForm(FlaskForm):
    name = StringField(_l("Nom du circuit"), validators=[InputRequired(REQUIRED), Length(max=200)])
    description = TextAreaField(_l("Description (facultative)"), validators=[Optional(), Length(max=2000)])


class NewDefinitionForm(DefinitionForm):
    key = StringField(
        _l("Identifiant"),
        validators=[
            InputRequired(REQUIRED),
            Regexp(KEY, message=_l("Lettres minuscules, chiffres et tirets, 63 caractères au plus.")),
        ],
    )
    applies_to = SelectField(
        _l("S'applique aux"),
        choices=_choices((value.value, label) for value, label in labels.APPLIES_TO_LABELS.items()),
    )
    assembly_kind = SelectField(
        _l("Pour les rapports de"),
        choices=_choices(
            [(NONE, _l("— (actes, convention) —"))] + [(k.value, ASSEMBLY_KIND_LABELS[k]) for k in AssemblyKind]
        ),
        default=AssemblyKind.COUNCIL.value,
    )

    def document(self) -> dict:
        """A new circuit of one step, the service head's visa, to edit from there."""
        document = {"key": self.key.data, "name": self.name.data.strip(), "applies_to": self.applies_to.data}
        if (self.description.data or "").strip():
            document["description"] = self.description.data.strip()
        if self.assembly_kind.data:
            document["assembly_kind"] = self.assembly_kind.data
        document["steps"] = [
            {"key": "visa-chef-service", "name": "Visa du chef de service", "kind": "approval"}
            | {"who": {"kind": "drafter_service_head"}}
        ]
        return document


class StepForm(FlaskForm):
    name = StringField(_l("Nom de l'étape"), validators=[InputRequired(REQUIRED), Length(max=200)])
    kind = SelectField(_l("Nature"), choices=_choices(labels.STEP_KIND_LABELS.items()))
    who_kind = SelectField(_l("Qui"), choices=_choices(labels.WHO_KIND_LABELS.items()))
    who_persons = SelectMultipleField(
        _l("Personnes nommées"), widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    who_grant = SelectField(
        _l("Droit"),
        choices=_choices([(NONE, "—")] + [(kind.value, label) for kind, label in labels.STEP_GRANTS.items()]),
    )
    who_role = SelectField(
        _l("Rôle"), choices=_choices([(NONE, "—")] + [(role.value, label) for role, label in ROLE_LABELS.items()])
    )
    who_assembly = SelectField(_l("Assemblée"))
    mode = SelectField(
        _l("Mode"),
        choices=_choices([("one", _l("l'un d'eux : le premier qui répond décide")), ("all", _l("tous, en parallèle"))]),
    )
    deadline_kind = SelectField(_l("Délai"), choices=_choices(DEADLINES.items()))
    deadline_days = IntegerField(
        _l("Nombre de jours"),
        validators=[Optional(), NumberRange(min=0, max=365, message=_l("Un nombre de jours entre 0 et 365."))],
    )
    approve_metadata = StringField(
        _l("Données exigées pour valider"),
        validators=[
            Length(max=400),
            Regexp(METADATA, message=_l("Des noms en minuscules (a-z, _), séparés par des virgules.")),
        ],
    )
    refuse_metadata = StringField(
        _l("Données exigées pour refuser"),
        validators=[
            Length(max=400),
            Regexp(METADATA, message=_l("Des noms en minuscules (a-z, _), séparés par des virgules.")),
        ],
    )
    on_refusal = SelectField(_l("En cas de refus"))
    reapprove_after_change = BooleanField(_l("Un document modifié après le visa demande un nouveau visa"))

    #: where each part of a step (its path in the TOML format) is edited
    FIELD_OF = {
        ("key",): "key",
        ("name",): "name",
        ("kind",): "kind",
        ("who",): "who_kind",
        ("who", "kind"): "who_kind",
        ("who", "emails"): "who_persons",
        ("who", "grant"): "who_grant",
        ("who", "role"): "who_role",
        ("who", "assembly"): "who_assembly",
        ("mode",): "mode",
        ("deadline",): "deadline_days",
        ("required_metadata", "approve"): "approve_metadata",
        ("required_metadata", "refuse"): "refuse_metadata",
        ("on_refusal",): "on_refusal",
        ("reapprove_after_change",): "reapprove_after_change",
    }

    def set_choices(self, people, assemblies, earlier_steps: list[dict], named: list[str] = ()) -> None:
        """The collectivity's people, assemblies and the steps before this one; ``named``: the e-mails the
        step names already, kept as choices even for someone who no longer holds a seat or a right here."""
        choices = [(p.email, f"{p.last_name} {p.first_name} <{p.email}>") for p in people]
        known = {p.email for p in people}
        choices += [(email, f"{email} (ni mandat ni droit ici)") for email in named if email not in known]
        self.who_persons.choices = _choices(choices)
        self.who_assembly.choices = _choices(
            [(NONE, "—"), (TARGET_ASSEMBLY, labels.TARGET_LABEL)] + [(a.key, a.name) for a in assemblies]
        )
        self.on_refusal.choices = _choices(
            [("drafter", _l("Retour au rédacteur, pour une nouvelle version"))]
            + [(step["key"], f"Retour à l'étape « {step['name']} »") for step in earlier_steps]
        )

    def fill(self, step: dict) -> None:
        """Show ``step`` (on a GET: a POST shows what was sent)."""
        who, deadline, metadata = step["who"], step.get("deadline") or {}, step.get("required_metadata") or {}
        self.name.data, self.kind.data, self.who_kind.data = step["name"], step["kind"], who["kind"]
        self.who_persons.data = who.get("emails", [])
        self.who_grant.data, self.who_role.data = who.get("grant", NONE), who.get("role", NONE)
        self.who_assembly.data = who.get("assembly", NONE)
        self.mode.data = step.get("mode", "one")
        self.deadline_kind.data = next(iter(deadline), NONE)
        self.deadline_days.data = next(iter(deadline.values()), None)
        self.approve_metadata.data = ", ".join(metadata.get("approve", []))
        self.refuse_metadata.data = ", ".join(metadata.get("refuse", []))
        self.on_refusal.data = step.get("on_refusal", "drafter")
        self.reapprove_after_change.data = step.get("reapprove_after_change", True)

    def step(self, key: str) -> dict:
        """The step as the form says it, in the TOML format (fields that do not apply are left out)."""
        who: dict = {"kind": self.who_kind.data}
        if self.who_kind.data == "persons":
            who["emails"] = list(self.who_persons.data or [])
        elif self.who_kind.data == "grant":
            who["grant"] = self.who_grant.data or None
            if self.who_assembly.data:
                who["assembly"] = self.who_assembly.data
        elif self.who_kind.data in ("role", "members"):
            if self.who_kind.data == "role":
                who["role"] = self.who_role.data or None
            if self.who_assembly.data:
                who["assembly"] = self.who_assembly.data
        who = {name: value for name, value in who.items() if value is not None}
        step = {"key": key, "name": self.name.data.strip(), "kind": self.kind.data, "who": who, "mode": self.mode.data}
        if self.deadline_kind.data:
            step["deadline"] = {self.deadline_kind.data: self.deadline_days.data}
        metadata = {
            action: names
            for action, names in (
                ("approve", _names(self.approve_metadata.data)),
                ("refuse", _names(self.refuse_metadata.data)),
            )
            if names
        }
        if metadata:
            step["required_metadata"] = metadata
        step["on_refusal"] = self.on_refusal.data
        step["reapprove_after_change"] = bool(self.reapprove_after_change.data)
        return step


class NewStepForm(StepForm):
    key = StringField(
        _l("Identifiant (facultatif, déduit du nom)"),
        validators=[
            Optional(),
            Regexp(KEY, message=_l("Lettres minuscules, chiffres et tirets, 63 caractères au plus.")),
        ],
    )


def _names(text: str | None) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def show_problems(form, error: WorkflowError, index: int | None):
    """A refused document on ``form``: a problem of the step at ``index`` next to its field, any other above
    the form (with its step named). Returns the form."""
    lines = error.message.split("\n")
    if not error.problems:
        return show_on(form, error)
    for (path, message), line in zip(error.problems, lines, strict=False):
        name = None
        if index is not None and path[:2] == ("steps", index):
            part = path[2:]
            name = StepForm.FIELD_OF.get(tuple(part[:2])) or StepForm.FIELD_OF.get(tuple(part[:1]))
        elif path and path[0] in ("name", "description", "key", "applies_to", "assembly_kind"):
            name = path[0]
        field = getattr(form, name, None) if name else None
        if field is not None:
            field.errors = [*field.errors, _in_form_words(message, form)]
        else:
            form.form_errors.append(line)
    return form


def _in_form_words(message: str, form) -> str:
    """The schema speaks of the file's fields (« kind » vaut « role »); next to a field of the form, the
    choice of « Qui » is named as the form shows it."""
    who = getattr(form, "who_kind", None)
    if who is not None and message.startswith(("obligatoire quand « kind »", "sans objet quand « kind »")):
        label = labels.WHO_KIND_LABELS.get(who.data, who.data)
        required = message.startswith("obligatoire")
        return f"{'Obligatoire' if required else 'Sans objet'} quand « Qui » vaut « {label} »."
    return message


class ImportForm(FlaskForm):
    file = FileField(_l("Fichier TOML du circuit"), validators=[FileRequired(_l("Choisissez un fichier .toml."))])


class DryRunForm(FlaskForm):
    """Read from the query string: a dry run changes nothing, so it has no CSRF token."""

    class Meta:
        csrf = False

    sitting_day = DateField(_l("Date de la séance"), validators=[InputRequired(REQUIRED)])
    assembly = SelectField(_l("Assemblée visée"), coerce=int)
    service = SelectField(_l("Service du rédacteur (pour son chef de service)"), coerce=int)

    def validate_sitting_day(self, field):
        today = date.today()
        if field.data and not today - DRY_RUN_PAST <= field.data <= today + DRY_RUN_FUTURE:
            raise ValidationError(_l("Choisissez une date entre l'an dernier et les cinq années à venir."))
