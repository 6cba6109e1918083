"""How many SMS segments a text costs (3GPP TS 23.038). Pure functions, no Django.

A text that uses only the GSM-7 default alphabet costs 1 unit per character, 2 for the extension
characters (they travel behind an escape). One segment holds 160 units, a concatenated one 153
(the rest is the header that glues the parts together). A single character outside GSM-7 turns the
whole text into UCS-2: 70 characters alone, 67 per concatenated part, and a character beyond the
Basic Multilingual Plane (most emoji) takes two UTF-16 units."""

import unicodedata
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

# The clinic's budget: every text fits in two segments.
MAX_SEGMENTS = 2
GSM7_BUDGET = 2 * GSM7_PART  # 306
UCS2_BUDGET = 2 * UCS2_PART  # 134


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int

    @property
    def budget(self) -> int:
        return GSM7_BUDGET if self.encoding == "GSM-7" else UCS2_BUDGET

    @property
    def fits(self) -> bool:
        return self.segments <= MAX_SEGMENTS

    def __str__(self) -> str:
        plural = "" if self.segments == 1 else "s"
        return f"{self.segments} segment{plural} ({self.encoding}, {self.units} of {self.budget})"


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def sms_segments(text: str) -> SegmentCount:
    if is_gsm7(text):
        units = sum(2 if char in GSM7_EXTENSION else 1 for char in text)
        single, part, encoding = GSM7_SINGLE, GSM7_PART, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = UCS2_SINGLE, UCS2_PART, "UCS-2"
    if units == 0:
        return SegmentCount(encoding, 0, 0)
    segments = 1 if units <= single else -(-units // part)
    return SegmentCount(encoding, units, segments)


# Typography that word processors and phones put in names and texts, and its GSM-7 twin.
_LOOKALIKES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "·": "-", "\u00a0": " "})


def gsm7_fold(text: str) -> str:
    """The text with each character outside GSM-7 replaced by its plain letter where one exists
    (ë → e, ’ → '), so one accent in a clinic or place name does not halve what a text may hold.
    Characters with no GSM-7 form stay, and the text goes as UCS-2."""
    text = text.translate(_LOOKALIKES)
    if is_gsm7(text):
        return text
    out = []
    for char in text:
        if char in GSM7_BASIC or char in GSM7_EXTENSION:
            out.append(char)
            continue
        plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(plain if plain and is_gsm7(plain) else char)
    return "".join(out)
