"""The one refusal the record services raise, shared by the modules that write records."""


class RecordError(Exception):
    """A clear, user-facing reason why nothing was saved."""
