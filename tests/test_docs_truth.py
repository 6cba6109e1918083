"""What the docs say about the desk and the patient's check-in note is what the desk's requests
page does (issue 19, item 18): the desk reads the patient's own note ("Their words",
tests/treatments/inbox/test_inbox.py), never the practitioner's clinical notes. No design note or
README may say the other."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOCS = [
    ROOT / "docs" / "architecture.md",
    *sorted((ROOT / "docs" / "notes").glob("*.md")),
    *sorted(ROOT.glob("*/README.md")),
    *sorted(ROOT.glob("*/*/README.md")),
    ROOT / "README.md",
]
UNTRUE = re.compile(
    r"note is not shown to the desk|desk never sees the (patient's )?(check-in|checkin) note|"
    r"free-text note is not shown",
    re.IGNORECASE,
)


def test_no_doc_says_the_desk_never_sees_the_patients_check_in_note():
    said = {str(p.relative_to(ROOT)): m.group(0) for p in DOCS if (m := UNTRUE.search(" ".join(p.read_text().split())))}
    assert said == {}


def test_the_docs_say_the_desk_sees_the_patients_own_note():
    for path in (ROOT / "docs" / "notes" / "portal.md", ROOT / "treatments" / "inbox" / "README.md"):
        assert "patient's own note" in " ".join(path.read_text().split()), path
