"""Put existing entries into the Merkle tree, and make the tree's tables append-only.

Leaves, tree nodes, checkpoints and cosignatures are written once and never changed:
as for the entries, database triggers refuse UPDATE and DELETE (and TRUNCATE on
PostgreSQL) whoever asks.
"""

import hashlib
import secrets

from django.db import migrations

from coordcell.record import merkle

TABLES = ["record_leaf", "record_node", "record_checkpoint", "record_cosignature"]


def _sqlite(table):
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, 'the record''s tree is append-only'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, 'the record''s tree is append-only'); END""",
    ]


def _sqlite_reverse(table):
    return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]


def _postgres(table):
    return [
        f"""CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION record_tree_append_only()""",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION record_tree_append_only()""",
    ]


def _postgres_reverse(table):
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
    ]


POSTGRES_FUNCTION = """CREATE OR REPLACE FUNCTION record_tree_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'the record''s tree is append-only'; END; $$ LANGUAGE plpgsql"""

STATEMENTS = {
    "sqlite": [sql for t in TABLES for sql in _sqlite(t)],
    "postgresql": [POSTGRES_FUNCTION] + [sql for t in TABLES for sql in _postgres(t)],
}
REVERSE = {
    "sqlite": [sql for t in TABLES for sql in _sqlite_reverse(t)],
    "postgresql": [sql for t in TABLES for sql in _postgres_reverse(t)]
    + ["DROP FUNCTION IF EXISTS record_tree_append_only()"],
}


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


def backfill(apps, schema_editor):
    """Entries written before the tree existed become its first leaves, in order."""
    Entry = apps.get_model("record", "Entry")
    Head = apps.get_model("record", "Head")
    Leaf = apps.get_model("record", "Leaf")
    Node = apps.get_model("record", "Node")
    frontier = merkle.Frontier()
    leaves, nodes = [], []
    for entry in Entry.objects.order_by("seq").iterator():
        salt = secrets.token_bytes(32)
        data = hashlib.sha256(salt + entry.canonical.encode("utf-8")).digest()
        for level, index, digest in frontier.append(merkle.leaf_hash(data)):
            nodes.append(Node(id=(level << 56) | index, hash=digest))
        leaves.append(Leaf(entry_id=entry.pk, index=entry.seq - 1, salt=salt))
    Leaf.objects.bulk_create(leaves, batch_size=500)
    Node.objects.bulk_create(nodes, batch_size=500)
    Head.objects.filter(pk=1).update(
        frontier=[h.hex() for h in frontier.hashes], root=frontier.root().hex()
    )


class Migration(migrations.Migration):
    dependencies = [("record", "0003_tree_and_checkpoints")]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(_run(STATEMENTS), _run(REVERSE)),
    ]
