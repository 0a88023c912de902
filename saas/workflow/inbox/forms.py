"""The forms of a task's page, one per action the person may take. Fields post under their plain names
(``comment``, ``reason``…; each action has its own URL, so only one form is read); their HTML ids carry the
action's name, so that the page can hold several. The metadata a step requires (its ``required_metadata``)
become fields of the approve and refuse forms; the engine checks them again."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from saas.workflow.definitions import members_vote
from saas.workflow.operations import OPINIONS

REQUIRED = _l("Ce champ est obligatoire.")
COMMENT = 4000
COUNT = NumberRange(min=0, max=10_000, message=_l("Un nombre de voix de 0 à 10 000."))


def _ids(form, action: str):
    for field in form:
        field.id = field.label.field_id = f"{action}-{field.name}"
    return form


def metadata_label(name: str) -> str:
    """A metadata name as a label: "motif_urgence" → "Motif urgence"."""
    return name.replace("_", " ").capitalize()


class _MetadataForm(FlaskForm):
    #: the names of the step's required metadata, set on the subclass made for a step
    metadata_names: tuple[str, ...] = ()

    def metadata(self) -> dict:
        return {name: getattr(self, name).data.strip() for name in self.metadata_names}


def _with_metadata(base: type[_MetadataForm], names: list[str]) -> type[_MetadataForm]:
    fields = {
        name: StringField(metadata_label(name), validators=[InputRequired(REQUIRED), Length(max=500)])
        for name in names
        if not hasattr(base, name)
    }
    return type(base.__name__, (base,), {**fields, "metadata_names": tuple(fields)})


class _ApproveForm(_MetadataForm):
    comment = TextAreaField(_l("Commentaire (facultatif)"), validators=[Optional(), Length(max=COMMENT)])


class _RefuseForm(_MetadataForm):
    reason = TextAreaField(_l("Motif du refus (obligatoire)"), validators=[Length(max=COMMENT)])


def approve_form(step: dict | None, **kwargs) -> _MetadataForm:
    names = ((step or {}).get("required_metadata") or {}).get("approve", [])
    return _ids(_with_metadata(_ApproveForm, names)(**kwargs), "approve")


def refuse_form(step: dict | None, **kwargs) -> _MetadataForm:
    names = ((step or {}).get("required_metadata") or {}).get("refuse", [])
    return _ids(_with_metadata(_RefuseForm, names)(**kwargs), "refuse")


class SendBackForm(FlaskForm):
    to_step = SelectField(_l("Renvoyer à l'étape"), choices=[], validate_choice=False)
    comment = TextAreaField(_l("Commentaire (facultatif)"), validators=[Optional(), Length(max=COMMENT)])


class InsertForm(FlaskForm):
    person = SelectField(_l("Personne dont vous voulez l'avis"), choices=[], validate_choice=False)
    comment = TextAreaField(_l("Ce que vous lui demandez (facultatif)"), validators=[Optional(), Length(max=COMMENT)])


def _opinion_field(label):
    return RadioField(
        label,
        choices=[SelectChoice(key, label.capitalize()) for key, label in OPINIONS.items()],
        validators=[InputRequired(_l("Choisissez l'avis : favorable, défavorable ou réservé."))],
    )


class MemberOpinionForm(FlaskForm):
    """A member's own opinion, in a step that collects the committee's from its members."""

    opinion = _opinion_field(_l("Votre avis"))
    comment = TextAreaField(_l("Commentaire (facultatif)"), validators=[Optional(), Length(max=COMMENT)])

    def tally(self) -> tuple[bool | None, dict]:
        """The committee's unanimity and counts, as given (Quorum counts a members' vote itself)."""
        return None, {}


class OpinionForm(MemberOpinionForm):
    """The committee's opinion, recorded once by its secretary or president after its sitting."""

    opinion = _opinion_field(_l("Avis de la commission"))
    unanimous = BooleanField(_l("À l'unanimité"))
    votes_for = IntegerField(_l("Pour"), validators=[Optional(), COUNT])
    votes_against = IntegerField(_l("Contre"), validators=[Optional(), COUNT])
    abstentions = IntegerField(_l("Abstentions"), validators=[Optional(), COUNT])
    comment = TextAreaField(_l("Texte de l'avis (facultatif)"), validators=[Optional(), Length(max=COMMENT)])

    def tally(self) -> tuple[bool | None, dict]:
        given = {"for": self.votes_for.data, "against": self.votes_against.data, "abstain": self.abstentions.data}
        return self.unanimous.data or None, {key: value for key, value in given.items() if value is not None}


class UrgentForm(FlaskForm):
    reason = TextAreaField(_l("Motif de l'urgence (obligatoire)"), validators=[Length(max=COMMENT)])


def send_back_form(steps: list[dict], **kwargs) -> SendBackForm:
    form = SendBackForm(**kwargs)
    form.to_step.choices = [SelectChoice(step["key"], step["name"]) for step in steps]
    return _ids(form, "send_back")


def insert_form(people, **kwargs) -> InsertForm:
    form = InsertForm(**kwargs)
    form.person.choices = [SelectChoice("", _l("Choisissez…"))] + [
        SelectChoice(str(person.id), person.full_name) for person in people
    ]
    return _ids(form, "insert")


def opinion_form(step: dict | None, **kwargs) -> MemberOpinionForm:
    """The member's own opinion where the step collects them (``members_vote``), else the committee's."""
    form = MemberOpinionForm if step is not None and members_vote(step) else OpinionForm
    return _ids(form(**kwargs), "opinion")


def urgent_form(**kwargs) -> UrgentForm:
    return _ids(UrgentForm(**kwargs), "urgent")
