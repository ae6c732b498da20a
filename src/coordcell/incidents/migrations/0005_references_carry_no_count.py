"""Incident references carry no count (ADR 0010): a random ``INC-XXXX-XXXX-XXXX`` stored
at creation replaces ``INC-<row id>``; existing incidents are given one here."""

import secrets

from django.db import migrations, models

import coordcell.incidents.models

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _reference(prefix, taken):
    while True:
        chars = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        value = f"{prefix}-{chars[:4]}-{chars[4:8]}-{chars[8:]}"
        if value not in taken:
            taken.add(value)
            return value


def give_references(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    taken = set()
    for pk in Incident.objects.filter(reference__isnull=True).values_list("pk", flat=True):
        Incident.objects.filter(pk=pk).update(reference=_reference("INC", taken))


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0004_evidence_sealed_original_and_released_copy"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="reference",
            field=models.CharField(max_length=30, null=True, editable=False, verbose_name="reference"),
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="incident",
            name="reference",
            field=models.CharField(
                default=coordcell.incidents.models.incident_reference,
                editable=False,
                max_length=30,
                unique=True,
                verbose_name="reference",
            ),
        ),
    ]
