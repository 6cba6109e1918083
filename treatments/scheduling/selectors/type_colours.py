"""The appointment types' colours for the calendar's generated stylesheet (`desk:calendar_types_css`):
the admin's colour as the border, a light tint of it as the background (one query)."""

from clinic.models import AppointmentType


def appointment_type_colours() -> list[tuple[int, str, str]]:
    """(pk, border colour, background) per type, for the generated stylesheet."""
    result = []
    for pk, colour in AppointmentType.objects.values_list("pk", "colour"):
        border = colour if _is_hex(colour) else "#6c757d"
        result.append((pk, border, _tint(border)))
    return result


def _is_hex(value: str) -> bool:
    return len(value) == 7 and value[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in value[1:])


def _tint(colour: str, amount: float = 0.82) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    r, g, b = (round(c + (255 - c) * amount) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"
