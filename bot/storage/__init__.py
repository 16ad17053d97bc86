"""Storage: sqlmodel tables, the async database, Alembic migrations, encryption at rest."""
