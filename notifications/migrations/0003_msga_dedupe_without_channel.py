"""One message per moment, whatever the channel: dedupe keys lose their channel suffix
("appt:42:reminder:email" -> "appt:42:reminder"). Where a change of channel left two rows for one
moment, the newest open one keeps the key and the other open one is cancelled with the reason;
rows already sent or cancelled keep their old key as history."""

from collections import defaultdict

from django.db import migrations
from django.db.models import Q

OPEN = ("pending", "sending")


def strip_channel(apps, schema_editor):
    Message = apps.get_model("notifications", "Message")
    groups = defaultdict(list)
    suffixed = Message.objects.filter(Q(dedupe_key__endswith=":email") | Q(dedupe_key__endswith=":sms"))
    for row in suffixed.order_by("id").iterator():
        groups[row.dedupe_key.rsplit(":", 1)[0]].append(row)
    taken = set(Message.objects.filter(dedupe_key__in=list(groups)).values_list("dedupe_key", flat=True))
    for base, rows in groups.items():
        if base in taken:
            continue
        open_rows = [r for r in rows if r.status in OPEN]
        keeper = open_rows[-1] if open_rows else rows[-1]
        for row in open_rows[:-1]:
            if row.status == "pending":
                row.status = "cancelled"
                row.last_error = f"Replaced by message {keeper.pk}: one message per moment, whatever the channel."
                row.save(update_fields=["status", "last_error"])
        keeper.dedupe_key = base
        keeper.save(update_fields=["dedupe_key"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_default_templates")]

    operations = [migrations.RunPython(strip_channel, migrations.RunPython.noop)]
