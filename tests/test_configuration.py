from pathlib import Path

import pytest

from saas.core import config


def test_every_setting_is_documented():
    page = (config.ROOT / "docs" / "configuration.md").read_text()
    missing = [name for name in config.SETTINGS if f"`QUORUM_{name}`" not in page]
    assert missing == [], f"document these settings in docs/configuration.md: {missing}"


def test_unknown_key_in_instance_file_is_an_error(tmp_path: Path):
    (tmp_path / "quorum.toml").write_text('databse_url = "sqlite://"\n')
    with pytest.raises(ValueError, match="DATABSE_URL"):
        config.load(tmp_path)


def test_environment_overrides_instance_file(tmp_path: Path, monkeypatch):
    (tmp_path / "quorum.toml").write_text("port = 6000\nsession_idle_minutes = 10\n")
    monkeypatch.setenv("QUORUM_PORT", "7000")
    values = config.load(tmp_path)
    assert values["PORT"] == 7000
    assert values["SESSION_IDLE_MINUTES"] == 10
    assert values["DATABASE_URL"] == f"sqlite:///{tmp_path / 'quorum.db'}"
