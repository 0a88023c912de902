"""A circuit drawn as a diagram: the layout of an inline SVG rendered on the server (no script). The steps,
in order, are boxes from the drafter's submission down to the end, joined by arrows; each refusal is drawn
back up, on the right, to the drafter or to the earlier step it returns to. Long names wrap; the drawing
keeps its proportions and shrinks with the page (readable at 800 px wide)."""

import dataclasses
import textwrap

from saas.workflow import labels

#: the boxes' left edge and width, the text's left padding, the height of a line of text
X, BOX_WIDTH, PADDING, LINE = 16, 520, 12, 20
#: how far a line of 15 px text rises above and falls below its baseline
ASCENT, DESCENT = 14, 5
#: characters per line: the bold title is wider per character than the other lines
TITLE_CHARS, TEXT_CHARS = 52, 60
#: vertical room for an arrow between two boxes; horizontal room between two refusal lanes
GAP, LANE = 40, 26
#: a refusal leaves its box a little below the middle (labelled under its line) and enters its target a
#: little above it
OFFSET = 8


@dataclasses.dataclass
class Text:
    x: int
    y: int
    text: str
    css: str


@dataclasses.dataclass
class Box:
    x: int
    y: int
    width: int
    height: int
    #: diagram__box--approval, --committee_opinion, --signature, --information, --start, --end
    css: str
    texts: list[Text]

    @property
    def middle(self) -> int:
        return self.y + self.height // 2

    @property
    def bottom(self) -> int:
        return self.y + self.height


@dataclasses.dataclass
class Diagram:
    width: int
    height: int
    boxes: list[Box]
    #: SVG path data of the arrows from one box to the next
    arrows: list[str]
    #: (path data, label position) of each refusal drawn back up
    refusals: list[tuple[str, Text]]
    #: the same circuit in one sentence per step, for readers who do not see the drawing
    description: str


def _lines(text: str, chars: int) -> list[str]:
    return textwrap.wrap(text, chars, break_long_words=True, break_on_hyphens=False) or [""]


def _box(y: int, css: str, rows: list[tuple[str, str, int]]) -> Box:
    """A box at ``y`` whose rows are (text, css class, characters per line), each wrapped."""
    texts, baseline = [], y + PADDING + ASCENT
    for text, text_css, chars in rows:
        for line in _lines(text, chars):
            texts.append(Text(X + PADDING, baseline, line, text_css))
            baseline += LINE
    last = baseline - LINE
    return Box(X, y, BOX_WIDTH, last + DESCENT + PADDING - y, css, texts)


def _step_rows(number: int, step: dict, assemblies: dict[str, str], people: dict[str, str]):
    kind = str(labels.STEP_KIND_LABELS[step["kind"]])
    if step["kind"] == "information":
        how = f"{kind} — passe aussitôt"
    else:
        how = f"{kind} — {labels.MODE_LABELS[step['mode']]}"
    return [
        (f"{number}. {step['name']}", "diagram__title", TITLE_CHARS),
        (how, "diagram__kind", TEXT_CHARS),
        (f"Qui : {labels.describe_who(step['who'], assemblies, people)}", "diagram__text", TEXT_CHARS),
        (f"Délai : {labels.describe_deadline(step.get('deadline'))}", "diagram__text", TEXT_CHARS),
    ]


def layout(document: dict, assemblies: dict[str, str], people: dict[str, str] | None = None) -> Diagram:
    """The diagram of ``document`` (a version's TOML format); ``assemblies`` and ``people`` name the assembly
    keys and the e-mails it uses."""
    people = people or {}
    steps = document["steps"]
    start = _box(8, "diagram__box--start", [("Le rédacteur soumet le rapport", "diagram__title", TITLE_CHARS)])
    boxes, y = [start], start.bottom + GAP
    for number, step in enumerate(steps, 1):
        box = _box(y, f"diagram__box--{step['kind']}", _step_rows(number, step, assemblies, people))
        boxes.append(box)
        y = box.bottom + GAP
    ending = "Rapport validé, prêt pour l'ordre du jour" if document["applies_to"] == "reports" else "Circuit terminé"
    boxes.append(_box(y, "diagram__box--end", [(ending, "diagram__title", TITLE_CHARS)]))
    middle = X + BOX_WIDTH // 2
    arrows = [f"M{middle},{above.bottom} V{below.y - 2}" for above, below in zip(boxes, boxes[1:], strict=False)]

    keys = [step["key"] for step in steps]
    # one lane per target: the drafter (the submission box, index 0) or an earlier step (index n + 1)
    edges = [
        (index + 1, 0 if step["on_refusal"] == "drafter" else keys.index(step["on_refusal"]) + 1)
        for index, step in enumerate(steps)
        if labels.refuses(step)
    ]
    targets = sorted({target for _, target in edges}, reverse=True)  # the nearest target runs innermost
    lane_of = {target: X + BOX_WIDTH + 30 + LANE * n for n, target in enumerate(targets)}
    right = X + BOX_WIDTH
    refusals = []
    for source, target in edges:
        lane, from_y, to_y = lane_of[target], boxes[source].middle + OFFSET, boxes[target].middle - OFFSET
        path = f"M{right},{from_y} H{lane} V{to_y} H{right + 2}"
        refusals.append((path, Text(right + 4, from_y + 14, "refus", "diagram__refusal-label")))
    width = max([right + 16, *(lane + 16 for lane in lane_of.values())])

    names = {step["key"]: step["name"] for step in steps}
    sentences = []
    for number, step in enumerate(steps, 1):
        sentence = (
            f"Étape {number}, {step['name']} : {labels.STEP_KIND_LABELS[step['kind']]},"
            f" {labels.describe_who(step['who'], assemblies, people)}, {labels.MODE_LABELS[step['mode']]},"
            f" {labels.describe_deadline(step.get('deadline'))}"
        )
        if labels.refuses(step):
            sentence += f" ; en cas de refus, {labels.describe_refusal(step, names)}"
        sentences.append(sentence + ".")
    return Diagram(width, boxes[-1].bottom + 8, boxes, arrows, refusals, " ".join(sentences))
