"""The @ctes data, read from classification.toml: the nomenclature des matières and its version date, the nature
codes of acts, the natures of collectivities the envelope names."""

import dataclasses
import functools
import re
import tomllib
from datetime import date
from pathlib import Path

#: a subject code of the nomenclature: one to five levels, "8", "8.5", "7.10"…
CODE = re.compile(r"^[1-9](\.[1-9][0-9]?){0,4}$")


@dataclasses.dataclass(frozen=True)
class Nature:
    #: CodeNatureActe, 1 to 6
    code: int
    name: str
    #: the last part of the prefecture's IDActe and of the package's file names ("DE")
    abbreviation: str
    #: the typology code of the act's main document in the package ("99_DE")
    typology: str


@dataclasses.dataclass(frozen=True)
class Classification:
    #: ClassificationDateVersion
    version: date
    #: code -> French name, levels 1 and 2
    matieres: dict[str, str]
    #: the typology code of an annex in the package
    annex_typology: str
    natures: dict[int, Nature]
    #: actes:Nature of the envelope's IDCL -> French name
    collectivities: dict[str, str]

    def name_of(self, code: str) -> str | None:
        return self.matieres.get(code)

    def levels(self, code: str) -> list[int]:
        """The CodeMatiere1…5 of a code the classification has ("7.10" → [7, 10])."""
        return [int(part) for part in code.split(".")]


#: the nature of every act Quorum makes today: a deliberation
DELIBERATION = 1


@functools.cache
def classification() -> Classification:
    with (Path(__file__).parent / "classification.toml").open("rb") as fh:
        data = tomllib.load(fh)
    section = data["classification"]
    matieres = dict(section["matieres"])
    for code in matieres:
        if not CODE.match(code):
            raise ValueError(f"classification.toml: {code!r} is not a subject code")
        if "." in code and code.rsplit(".", 1)[0] not in matieres:
            raise ValueError(f"classification.toml: {code!r} has no parent level")
    natures = {n["code"]: Nature(n["code"], n["name"], n["abbreviation"], n["typology"]) for n in data["nature"]}
    if sorted(natures) != [1, 2, 3, 4, 5, 6]:
        raise ValueError("classification.toml: the nature codes of acts are 1 to 6")
    collectivities = {c["code"]: c["name"] for c in data["collectivity"]}
    return Classification(section["version"], matieres, section["annex_typology"], natures, collectivities)
