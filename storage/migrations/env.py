"""Alembic's entry point, run by storage.migrate on a connection the app already holds."""

from alembic import context

context.configure(connection=context.config.attributes["connection"], target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
