"""Who the demo people are: their e-mail addresses, their one password and their TOTP key (demo only)."""

import unicodedata

EMAIL_DOMAIN = "demo.quorum.localhost"

#: the password of every demo account (documented in the README and printed by ``quorum demo``)
DEMO_PASSWORD = "quorum-demo-2026"


#: the TOTP key of every demo account that must use a second factor (base32, documented, demo only)
DEMO_TOTP_KEY = "QUORUMDEMOTOTPKEYSTAFFONLYABCDEF"


def demo_email(first_name: str, last_name: str) -> str:
    """prenom.nom@demo.quorum.localhost, accents dropped, spaces and apostrophes as dashes."""

    def part(text: str) -> str:
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return "-".join(ascii_text.lower().replace("'", " ").split())

    return f"{part(first_name)}.{part(last_name)}@{EMAIL_DOMAIN}"
