from django.db import migrations

from coordcell.rules.grid import cell_key


def fill_missing_cells(apps, schema_editor):  # type: ignore[no-untyped-def]
    """The map's cell of the incidents imported before the import set it (stored as 0)."""
    incident = apps.get_model("incidents", "Incident")
    batch = []
    rows = incident.objects.filter(cell=0).only("pk", "lon", "lat")
    for row in rows.iterator(chunk_size=2000):
        row.cell = cell_key(row.lon, row.lat)
        batch.append(row)
        if len(batch) >= 2000:
            incident.objects.bulk_update(batch, ["cell"])
            batch = []
    if batch:
        incident.objects.bulk_update(batch, ["cell"])


class Migration(migrations.Migration):
    dependencies = [("incidents", "0010_map_cell")]

    operations = [migrations.RunPython(fill_missing_cells, migrations.RunPython.noop)]
