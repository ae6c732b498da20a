"""References and inbox ids carry no count (ADR 0010): a random ``CASE-…``/``HOT-…``
stored at creation replaces the row id in references, and each notification gets a
random public id; existing rows are given theirs here."""

import secrets
import uuid

from django.db import migrations, models

import coordcell.cases.models

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _reference(prefix, taken):
    while True:
        chars = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        value = f"{prefix}-{chars[:4]}-{chars[4:8]}-{chars[8:]}"
        if value not in taken:
            taken.add(value)
            return value


def give_references(apps, schema_editor):
    taken = set()
    for model, prefix in (("Case", "CASE"), ("Activation", "HOT")):
        rows = apps.get_model("cases", model).objects
        for pk in rows.filter(reference__isnull=True).values_list("pk", flat=True):
            rows.filter(pk=pk).update(reference=_reference(prefix, taken))
    Notification = apps.get_model("cases", "Notification")
    for pk in Notification.objects.filter(public_id__isnull=True).values_list("pk", flat=True):
        Notification.objects.filter(pk=pk).update(public_id=uuid.uuid4())


def _reference_field(default):
    return models.CharField(
        default=default, editable=False, max_length=30, unique=True, verbose_name="reference"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_hotline"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="reference",
            field=models.CharField(
                max_length=30, null=True, editable=False, verbose_name="reference"
            ),
        ),
        migrations.AddField(
            model_name="activation",
            name="reference",
            field=models.CharField(
                max_length=30, null=True, editable=False, verbose_name="reference"
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case",
            name="reference",
            field=_reference_field(coordcell.cases.models.case_reference),
        ),
        migrations.AlterField(
            model_name="activation",
            name="reference",
            field=_reference_field(coordcell.cases.models.activation_reference),
        ),
        migrations.AlterField(
            model_name="notification",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
