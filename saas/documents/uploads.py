"""Where uploads wait while they are received and checked: a private folder of the instance."""

from pathlib import Path

from flask import current_app

UPLOADS = "uploads"


def uploads_dir() -> Path:
    """Where uploads wait for their check: in the instance folder, never a shared /tmp."""
    path = Path(current_app.instance_path) / UPLOADS
    path.mkdir(parents=True, exist_ok=True)
    return path
