"""The @ctes data: the nomenclature des matières (levels 1 to 9 and their level-2 codes, French names, version
date), the nature codes of acts, the natures of collectivities; the demo's collectivities carry their identity."""

from datetime import date

from saas.prefecture.classification import CODE, classification


def test_the_nomenclature_has_its_nine_matieres_and_their_subjects():
    current = classification()
    assert isinstance(current.version, date)
    first_level = {code: name for code, name in current.matieres.items() if "." not in code}
    assert list(first_level) == [str(n) for n in range(1, 10)]
    assert first_level["1"] == "Commande publique" and first_level["7"] == "Finances locales"
    assert current.name_of("8.5") == "Politique de la ville - habitat - logement"
    assert current.name_of("7.10") == "Divers" and current.levels("7.10") == [7, 10]
    assert current.name_of("9.9") is None and current.name_of("10.1") is None
    counts = {n: sum(1 for code in current.matieres if code.startswith(f"{n}.")) for n in range(1, 10)}
    assert counts == {1: 7, 2: 3, 3: 6, 4: 5, 5: 8, 6: 5, 7: 10, 8: 9, 9: 4}
    assert all(CODE.match(code) for code in current.matieres)


def test_the_nature_codes_of_acts_and_of_collectivities():
    current = classification()
    assert {n.code: n.abbreviation for n in current.natures.values()} == {
        1: "DE", 2: "AR", 3: "AI", 4: "CC", 5: "BF", 6: "AU"
    }  # fmt: skip
    assert current.natures[1].name == "Délibérations" and current.natures[1].typology == "99_DE"
    assert current.natures[6].name == "Autres"
    assert current.collectivities["31"] == "Commune"
    assert {"11", "21", "31", "45"} <= set(current.collectivities)


def test_the_four_demo_collectivities_have_their_identity(session):
    import tomllib
    from pathlib import Path

    folder = Path(__file__).parents[2] / "tenants"
    identities = {}
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text())
        identities[data["slug"]] = (data["actes_departement"], data["actes_arrondissement"], data["actes_nature"])
    assert identities == {
        "besancon": ("025", "1", "31"),
        "doubs": ("025", "1", "21"),
        "region-franche-comte": ("025", "1", "11"),
        "grand-besancon": ("025", "1", "45"),
    }
    assert all(nature in classification().collectivities for _, _, nature in identities.values())
