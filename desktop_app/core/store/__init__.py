"""Persistence: the project database (SQLAlchemy + Alembic) and the content-addressed object store."""
