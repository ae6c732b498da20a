"""What each protocol serves: complaints, the hotline, or neither (scenario data).

Before this field the cell used the protocols whose ids were ``complaint`` and
``hotline``; versions loaded then keep that meaning.
"""

from django.db import migrations, models

#: The protocol ids the code used before ``serves`` was data.
_FORMERLY = {"complaint": "complaints", "hotline": "hotline"}


def serves_from_former_ids(apps, schema_editor):
    Protocol = apps.get_model("agreements", "Protocol")
    for protocol_id, serves in _FORMERLY.items():
        Protocol.objects.filter(protocol_id=protocol_id).update(serves=serves)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0004_zone_style"),
    ]

    operations = [
        migrations.AddField(
            model_name="protocol",
            name="serves",
            field=models.CharField(blank=True, default="", max_length=20),
        ),
        migrations.RunPython(serves_from_former_ids, migrations.RunPython.noop),
    ]
