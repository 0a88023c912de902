"""The migrations build exactly the schema the models describe (tables, columns, constraints, indexes),
on the database of the column under test: SQLite, or PostgreSQL through its owner role."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from saas.core.extensions import db


def test_the_migrated_database_matches_the_models(app):
    with app.app_context():
        owner_url = app.config.get("DATABASE_OWNER_URL")
        engine = sa.create_engine(owner_url) if owner_url else db.engine
        try:
            with engine.connect() as connection:
                differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        finally:
            if owner_url:
                engine.dispose()
    assert differences == []
