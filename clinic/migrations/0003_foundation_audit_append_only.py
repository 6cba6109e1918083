"""On PostgreSQL the audit trail is append-only in the database too, not only in Django: a trigger
refuses UPDATE and DELETE of audit rows, whoever sends them. The one change it lets through is the
user becoming empty when a staff account is deleted (the foreign key's SET NULL), so the trail
outlives the account. TRUNCATE (used by test-database flushes) fires no row trigger."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION clinic_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.user_id IS NULL AND OLD.user_id IS NOT NULL
       AND (NEW.id, NEW.at, NEW.patient_id, NEW.action, NEW.object_type, NEW.object_id, NEW.ip, NEW.via)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.patient_id, OLD.action, OLD.object_type, OLD.object_id, OLD.ip, OLD.via) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER clinic_auditentry_append_only
BEFORE UPDATE OR DELETE ON clinic_auditentry
FOR EACH ROW EXECUTE FUNCTION clinic_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS clinic_auditentry_append_only ON clinic_auditentry;
DROP FUNCTION IF EXISTS clinic_auditentry_append_only();
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0002_roles")]
    operations = [migrations.RunPython(add, remove)]
