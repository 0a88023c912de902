"""`quorum operator create` asks for a password, enrols TOTP, and makes an operator who can log in."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pyotp
import sqlalchemy as sa

PASSWORD = "a strong operator password"


def _quorum(tmp_path: Path) -> tuple[str, dict]:
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "QUORUM_INSTANCE_PATH": str(tmp_path),
        "QUORUM_DATABASE_URL": f"sqlite:///{tmp_path / 'operator.db'}",
        "QUORUM_REDIS_URL": "",
    }
    quorum = str(Path(sys.executable).parent / "quorum")
    subprocess.run([quorum, "db", "upgrade"], env=env, check=True, capture_output=True)
    return quorum, env


def _create(quorum: str, env: dict, code_for) -> subprocess.CompletedProcess:
    process = subprocess.Popen(
        [quorum, "operator", "create", "ops@example.org"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.stdin.write(PASSWORD + "\n")
    process.stdin.flush()
    output = ""
    while "clé :" not in output:
        line = process.stdout.readline()
        assert line, f"no TOTP key printed: {output} {process.stderr.read()}"
        output += line
    secret = re.search(r"clé : ([A-Z2-7]+)", output).group(1)
    rest, errors = process.communicate(code_for(secret) + "\n", timeout=30)
    return subprocess.CompletedProcess(process.args, process.returncode, output + rest, errors)


def test_operator_is_created_with_password_and_totp(tmp_path: Path):
    quorum, env = _quorum(tmp_path)
    result = _create(quorum, env, lambda secret: pyotp.TOTP(secret).now())
    assert result.returncode == 0, result.stderr
    assert "Opérateur ops@example.org créé." in result.stdout
    engine = sa.create_engine(env["QUORUM_DATABASE_URL"])
    with engine.connect() as connection:
        row = connection.execute(
            sa.text("SELECT is_operator, password_hash, totp_secret_sealed FROM person WHERE email = 'ops@example.org'")
        ).one()
    engine.dispose()
    assert row.is_operator and row.password_hash.startswith("$argon2id$") and row.totp_secret_sealed


def test_wrong_code_creates_nothing(tmp_path: Path):
    quorum, env = _quorum(tmp_path)
    result = _create(quorum, env, lambda secret: "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    assert result.returncode != 0
    assert "rien n'a été créé" in result.stderr
    engine = sa.create_engine(env["QUORUM_DATABASE_URL"])
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM person")).scalar_one() == 0
    engine.dispose()
