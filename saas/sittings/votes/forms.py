"""Forms of the votes: the secretariat's (ballot type requests, totals, named entry, the electronic vote, the
items that are not voted) and the member's tablet (a ballot, "ne prend pas part au vote").

Flask-WTF: every one carries a CSRF token. The law (thresholds, majority, who is entitled) is the operations'
(``saas.sittings.votes.operations``): these forms only read what was typed, in bounds, and say in French what
could not be read."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from saas.sittings.forms import REQUIRED
from saas.sittings.outcomes import BallotType
from saas.sittings.votes.models import Choice
from saas.sittings.votes.operations import NOT_TAKING_PART

#: a council never has more members than this (Paris: 163): a count above it is a typing error
MAX_COUNT = 1000
BALLOT_TYPE_LABELS = {
    BallotType.SHOW_OF_HANDS: _l("à main levée"),
    BallotType.NAMED: _l("scrutin public (nominatif)"),
    BallotType.SECRET: _l("scrutin secret"),
}
REQUEST_LABELS = {BallotType.NAMED: _l("un scrutin public"), BallotType.SECRET: _l("un scrutin secret")}
CHOICE_BUTTONS = {Choice.FOR: _l("Pour"), Choice.AGAINST: _l("Contre"), Choice.ABSTENTION: _l("Abstention")}
#: the per-member entry: the choice, or "did not vote" (left empty)
NO_CHOICE = ""
NAMED_CHOICES = (
    [SelectChoice(NO_CHOICE, _l("— n'a pas voté —"))]
    + [SelectChoice(c.value, label) for c, label in CHOICE_BUTTONS.items()]
    + [SelectChoice(NOT_TAKING_PART, _l("ne prend pas part au vote"))]
)
#: in the member's ballot form, "for myself" (otherwise the id of the giver of the proxy they hold)
MYSELF = 0


def _count(label):
    return IntegerField(
        label,
        default=0,
        validators=[
            InputRequired(_l("Indiquez un nombre (0 s'il n'y en a pas).")),
            NumberRange(min=0, max=MAX_COUNT, message=_l("Un nombre entre 0 et %(max)s.", max=MAX_COUNT)),
        ],
    )


class BallotRequestForm(FlaskForm):
    """A member present asks for a named public ballot or a secret ballot (L2121-21)."""

    person = SelectField(_l("Membre qui demande"), coerce=int, validators=[InputRequired(REQUIRED)])
    kind = SelectField(
        _l("Demande"),
        choices=[SelectChoice(t.value, label) for t, label in REQUEST_LABELS.items()],
        validators=[InputRequired(REQUIRED)],
    )


class TotalsForm(FlaskForm):
    """The totals counted in the room, entered by the secretariat."""

    votes_for = _count(_l("Pour"))
    votes_against = _count(_l("Contre"))
    abstentions = _count(_l("Abstentions"))
    #: shown for a secret ballot only
    blank = IntegerField(
        _l("Blancs ou nuls"),
        default=0,
        validators=[
            Optional(),
            NumberRange(min=0, max=MAX_COUNT, message=_l("Un nombre entre 0 et %(max)s.", max=MAX_COUNT)),
        ],
    )
    #: asked only on a tie the president's vote decides
    president_choice = SelectField(
        _l("En cas de partage égal, le président a voté"),
        choices=[
            SelectChoice(NO_CHOICE, _l("— sans objet —")),
            SelectChoice(Choice.FOR.value, _l("pour")),
            SelectChoice(Choice.AGAINST.value, _l("contre")),
        ],
        default=NO_CHOICE,
    )


class NamedBase(FlaskForm):
    """The per-member entry; ``choice_<voter id>`` fields are added by ``named_form``."""


def named_form(voters, **kwargs) -> NamedBase:
    """One choice per entitled voter (``voters``: (voter id, label) pairs, a giver's label naming the holder)."""

    class Named(NamedBase):
        pass

    for voter_id, label in voters:
        setattr(Named, f"choice_{voter_id}", SelectField(label, choices=NAMED_CHOICES, default=NO_CHOICE))
    form = Named(**kwargs)
    form.voters = list(voters)
    return form


class ReasonForm(FlaskForm):
    """Postpone or withdraw an item, or take note of it: the reason is optional (the law's one is added)."""

    reason = StringField(_l("Motif (facultatif)"), validators=[Optional(), Length(max=500)])


class BallotForm(FlaskForm):
    """The member's ballot from their tablet: the button pressed is the choice."""

    choice = SelectField(
        _l("Vote"),
        choices=[SelectChoice(c.value, label) for c, label in CHOICE_BUTTONS.items()]
        + [SelectChoice(Choice.BLANK.value, _l("Blanc"))],
        validators=[InputRequired(_l("Choisissez Pour, Contre ou Abstention."))],
    )
    #: MYSELF, or the giver of the proxy the member holds
    voter = IntegerField(default=MYSELF, validators=[Optional(), NumberRange(min=0, max=2**31 - 1)])


class NotTakingPartForm(FlaskForm):
    """ "Je ne prends pas part au vote" (L2131-11), or (``withdraw``) the declaration withdrawn before the vote."""

    reason = TextAreaField(_l("Motif (facultatif, vu du seul secrétariat)"), validators=[Optional(), Length(max=500)])
    withdraw = BooleanField()
