"""Each membership gets a call sign (ADR 0010, docs/security.md): existing memberships
are given the generated one, ``<PARTY CODE> <duty position>-<n>``, in the order they
were made."""

from django.db import migrations, models

_ROLES = {
    "principal": "PR",
    "liaison_officer": "LO",
    "analyst": "AN",
    "monitor": "MON",
    "donor_representative": "DR",
    "observer": "OBS",
    "cell_administrator": "ADM",
}


def give_call_signs(apps, schema_editor):
    Membership = apps.get_model("parties", "Membership")
    taken = set()
    rows = Membership.objects.select_related("delegation__party").order_by("pk")
    for membership in rows:
        code = membership.delegation.party.code.upper().replace("_", "-")
        position = _ROLES.get(membership.role, "X")
        number = 1
        while f"{code} {position}-{number}" in taken:
            number += 1
        call_sign = f"{code} {position}-{number}"
        taken.add(call_sign)
        Membership.objects.filter(pk=membership.pk).update(call_sign=call_sign)


class Migration(migrations.Migration):

    dependencies = [
        ("parties", "0002_invitation"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="call_sign",
            field=models.CharField(max_length=40, null=True, verbose_name="call sign"),
        ),
        migrations.RunPython(give_call_signs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="membership",
            name="call_sign",
            field=models.CharField(max_length=40, unique=True, verbose_name="call sign"),
        ),
        migrations.AlterModelOptions(
            name="membership",
            options={
                "ordering": ["delegation__party__code", "call_sign"],
                "verbose_name": "membership",
                "verbose_name_plural": "memberships",
            },
        ),
    ]
