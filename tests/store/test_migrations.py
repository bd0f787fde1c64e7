"""The Alembic migrations build exactly the schema the SQLAlchemy models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from quantdesk.store.db import create_db_engine, migrate
from quantdesk.store.models import Base


def test_migrations_and_models_agree(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'schema.db'}")
    migrate(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []
