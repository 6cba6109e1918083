"""No practitioner, room or patient holds two live appointments at once: PostgreSQL exclusion
constraints over [start, end). SQLite has no such constraint; there the booking service
serialises writers and checks (treatments/scheduling/services)."""

from django.db import migrations

# (constraint name, column, extra condition)
CONSTRAINTS = [
    ("appointment_no_overlap_practitioner", "practitioner_id", ""),
    ("appointment_no_overlap_patient", "patient_id", ""),
    ("appointment_no_overlap_room", "room_id", " AND room_id IS NOT NULL"),
]
LIVE = "status IN ('booked', 'checked_in', 'completed')"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for name, column, extra in CONSTRAINTS:
        schema_editor.execute(
            f"ALTER TABLE treatments_appointment ADD CONSTRAINT {name} EXCLUDE USING gist "
            f'({column} WITH =, tstzrange("start", "end", \'[)\') WITH &&) WHERE ({LIVE}{extra})'
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column, _extra in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE treatments_appointment DROP CONSTRAINT IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("treatments", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
