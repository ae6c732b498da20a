"""Deliveries name their subject (type and id) instead of a foreign key to a case step,
so that notify does not depend on cases. Existing deliveries become ``cases.step`` and
the step's id."""

from django.db import migrations, models
from django.db.models.functions import Cast


def step_to_subject(apps, schema_editor):
    Delivery = apps.get_model("notify", "Delivery")
    Delivery.objects.update(
        subject_type="cases.step", subject_id=Cast("step_id", output_field=models.CharField())
    )


def subject_to_step(apps, schema_editor):
    Delivery = apps.get_model("notify", "Delivery")
    strays = Delivery.objects.exclude(subject_type="cases.step")
    if strays.exists():
        raise RuntimeError("deliveries of subjects other than case steps cannot go back")
    Delivery.objects.update(step_id=Cast("subject_id", output_field=models.BigIntegerField()))


class Migration(migrations.Migration):

    dependencies = [
        ("notify", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="subject_type",
            field=models.CharField(default="", max_length=60),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="delivery",
            name="subject_id",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RemoveConstraint(
            model_name="delivery",
            name="notify_one_delivery_per_step",
        ),
        # Nullable first, so that going back can add the column again before filling it.
        migrations.AlterField(
            model_name="delivery",
            name="step",
            field=models.ForeignKey(
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="cases.step",
            ),
        ),
        migrations.RunPython(step_to_subject, subject_to_step),
        migrations.RemoveField(
            model_name="delivery",
            name="step",
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                fields=("webhook", "subject_type", "subject_id"),
                name="notify_one_delivery_per_subject",
            ),
        ),
    ]
