from django.db import migrations, models
from django.db.models import Max
from django.utils import timezone


def revoke_all_but_newest(apps, schema_editor):
    """Links made before this rule may leave a patient several unrevoked (expired ones were not
    revoked when a successor was minted): keep the newest, revoke the rest, so the rule can hold."""
    PortalToken = apps.get_model("patients", "PortalToken")
    unrevoked = PortalToken.objects.filter(revoked_at__isnull=True)
    newest = unrevoked.values("patient_id").annotate(newest=Max("id")).values_list("newest", flat=True)
    unrevoked.exclude(id__in=list(newest)).update(revoked_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0006_merge_20261129_1029"),
    ]

    operations = [
        migrations.RunPython(revoke_all_but_newest, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="portaltoken",
            constraint=models.UniqueConstraint(
                condition=models.Q(("revoked_at__isnull", True)),
                fields=("patient",),
                name="portal_token_one_live_per_patient",
            ),
        ),
    ]
