"""Alembic revisions of the store's schema (run programmatically by storage.migrate)."""
