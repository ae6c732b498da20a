"""Make the record append-only in the database itself, and create the chain head.

Triggers refuse UPDATE and DELETE on record entries (and TRUNCATE on PostgreSQL)
whoever asks: the application, an administrator in a SQL shell, or a migration.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER record_entry_no_update BEFORE UPDATE ON record_entry
       BEGIN SELECT RAISE(ABORT, 'record entries are append-only'); END""",
    """CREATE TRIGGER record_entry_no_delete BEFORE DELETE ON record_entry
       BEGIN SELECT RAISE(ABORT, 'record entries are append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS record_entry_no_update",
    "DROP TRIGGER IF EXISTS record_entry_no_delete",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION record_entry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'record entries are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER record_entry_no_update_delete BEFORE UPDATE OR DELETE ON record_entry
       FOR EACH ROW EXECUTE FUNCTION record_entry_append_only()""",
    """CREATE TRIGGER record_entry_no_truncate BEFORE TRUNCATE ON record_entry
       FOR EACH STATEMENT EXECUTE FUNCTION record_entry_append_only()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS record_entry_no_update_delete ON record_entry",
    "DROP TRIGGER IF EXISTS record_entry_no_truncate ON record_entry",
    "DROP FUNCTION IF EXISTS record_entry_append_only()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"no append-only triggers for database {schema_editor.connection.vendor!r}"
            )
        for sql in statements:
            schema_editor.execute(sql)

    return run


def create_head(apps, schema_editor):
    apps.get_model("record", "Head").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("record", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        ),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
