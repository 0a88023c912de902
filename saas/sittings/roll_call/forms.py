"""Forms of the secretariat's sitting screen, roll-call side (Flask-WTF: every one carries a CSRF token).

The law is checked by the operations (``saas.sittings.roll_call.operations``); these forms only turn what was
chosen into values and say in French what could not be read. The roll call has one line per member in office,
so its form class is built for the sitting (``roll_call_form``)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from saas.sittings.forms import REQUIRED
from saas.sittings.roll_call.models import PresenceEventKind, SeatStatus

NOBODY = 0
SEAT_CHOICE_LABELS = {
    SeatStatus.PRESENT: _l("présent"),
    SeatStatus.REMOTE: _l("à distance"),
    SeatStatus.ABSENT: _l("absent"),
    SeatStatus.REPRESENTED: _l("représenté par…"),
    SeatStatus.REPLACED: _l("remplacé par…"),
}
MOVEMENT_LABELS = {PresenceEventKind.ARRIVAL: _l("Arrivée"), PresenceEventKind.DEPARTURE: _l("Départ")}


class OpenForm(FlaskForm):
    """Opening the sitting: the assembly first appoints the secretary of the sitting (L2121-15)."""

    secretary = SelectField(_l("Secrétaire de séance"), coerce=int, validators=[InputRequired(REQUIRED)])


class RollCallBase(FlaskForm):
    """The lines are added per member by ``roll_call_form``: ``seat_<id>``, ``holder_<id>``, ``deputy_<id>``."""


def roll_call_form(members, seat_choices, holders, data: dict | None = None, **kwargs) -> RollCallBase:
    """The roll call of ``members`` (persons): a seat, a proxy holder and a deputy's name per member.
    ``seat_choices``: (value, label) allowed for this sitting; ``holders``: (id, name) of possible holders;
    ``data``: the values to show ({"seat_<id>": …}), from the entries or the members' answers."""

    class RollCall(RollCallBase):
        pass

    for person in members:
        setattr(
            RollCall,
            f"seat_{person.id}",
            SelectField(
                person.full_name, choices=[SelectChoice(*c) for c in seat_choices], validators=[InputRequired(REQUIRED)]
            ),
        )
        setattr(
            RollCall,
            f"holder_{person.id}",
            SelectField(
                _l("Représenté par (procuration)"),
                coerce=int,
                choices=[SelectChoice(NOBODY, _l("— personne —"))]
                + [SelectChoice(*h) for h in holders if h[0] != person.id],
                default=NOBODY,
            ),
        )
        setattr(
            RollCall,
            f"deputy_{person.id}",
            StringField(_l("Nom du suppléant"), validators=[Optional(), Length(max=200)]),
        )
    form = RollCall(data=data, **kwargs) if data is not None else RollCall(**kwargs)
    form.members = list(members)
    return form


class MovementForm(FlaskForm):
    """An arrival or a departure during the sitting, at the item on the floor."""

    person = SelectField(_l("Membre"), coerce=int, validators=[InputRequired(REQUIRED)])
    kind = SelectField(
        _l("Mouvement"),
        choices=[SelectChoice(k.value, label) for k, label in MOVEMENT_LABELS.items()],
        validators=[InputRequired(REQUIRED)],
    )
    remote = BooleanField(_l("Arrivée à distance (visioconférence)"))
    proxy_holder = SelectField(_l("En partant, donne procuration à"), coerce=int, default=NOBODY)
