"""Alembic environment: the engine comes from the caller (``Database.migrate``)."""

from alembic import context

from dispatchd.store.schema import metadata

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A SQLite table is altered by rebuilding it; with foreign keys enforced, dropping the old
        # table would delete or orphan the rows that point at it. The pragma only takes effect
        # outside a transaction, so it is set before the migrations' one and restored after.
        # On the driver's connection: through SQLAlchemy the statement would follow our BEGIN.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():
            context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migrations left rows whose foreign keys point nowhere: {broken[:5]}")
    finally:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
