"""The diagnosis app's refusals: Chinese messages that say why and name what is wrong."""


class DiagnosisError(Exception):
    """An action that is not allowed now; `errors` lists why, in Chinese."""

    def __init__(self, errors: str | list[str]):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("；".join(self.errors))


class DiagnosisForbidden(DiagnosisError):
    """The user may not take this action at all."""
