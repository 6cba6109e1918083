"""Patient search by first name, e-mail prefix and any part of a phone number (issue 14).

- `search_first_last`: lower-cased "first last", indexed like `search_name` ("last first").
- The e-mail index takes the pattern operator class on PostgreSQL, so LIKE 'x%' uses it.
- On PostgreSQL, a trigram index on `phone` answers LIKE '%5550%' (pg_trgm, a trusted extension
  since PostgreSQL 13). SQLite has none: there a digits search reads the phone index whole, which
  stays a few milliseconds at 50,000 patients (make bench)."""

from django.db import migrations, models

BATCH = 2_000


def fill_search_first_last(apps, schema_editor):
    # Python's lower(), like Patient.save(): SQL LOWER() on SQLite only folds ASCII.
    Patient = apps.get_model("patients", "Patient")
    batch = []
    for patient in Patient.objects.only("pk", "first_name", "last_name").iterator(chunk_size=BATCH):
        patient.search_first_last = f"{patient.first_name} {patient.last_name}".lower()
        batch.append(patient)
        if len(batch) >= BATCH:
            Patient.objects.bulk_update(batch, ["search_first_last"])
            batch = []
    Patient.objects.bulk_update(batch, ["search_first_last"])


def add_phone_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS patient_phone_trgm_idx ON patients_patient USING gin (phone gin_trgm_ops)"
    )


def drop_phone_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS patient_phone_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0003_merge_20261126_2122"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="patient",
            name="patient_email_idx",
        ),
        migrations.AddField(
            model_name="patient",
            name="search_first_last",
            field=models.CharField(db_index=True, default="", editable=False, max_length=170),
        ),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(fields=["email"], name="patient_email_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ),
        migrations.RunPython(fill_search_first_last, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(add_phone_trigram_index, drop_phone_trigram_index),
    ]
