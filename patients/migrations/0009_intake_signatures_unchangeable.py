"""On PostgreSQL a consent signature and a published consent text cannot change in the database
either, not only through Django: a trigger refuses UPDATE and DELETE of their rows, whoever sends
them (raw SQL included). TRUNCATE (used by test-database flushes) fires no row trigger."""

from django.db import migrations

TABLES = ("patients_consentsignature", "patients_consenttext")

CREATE = """
CREATE OR REPLACE FUNCTION patients_written_once() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are written once and cannot be changed', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER = """
CREATE TRIGGER {table}_written_once
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION patients_written_once();
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # RAISE uses %, not a placeholder
        for table in TABLES:
            schema_editor.execute(TRIGGER.format(table=table))


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_written_once ON {table};")
        schema_editor.execute("DROP FUNCTION IF EXISTS patients_written_once();")


class Migration(migrations.Migration):
    dependencies = [("patients", "0008_intake_seed_consent")]
    operations = [migrations.RunPython(add, remove)]
