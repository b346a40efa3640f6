"""The one error type of the build: a message that names a file and a line."""

from __future__ import annotations


class BuildError(Exception):
    """An error in a post source, reported as `path:line: message`."""

    def __init__(self, path: str, line: int | None, message: str, detail: str = "", where: str | None = None):
        self.path, self.line, self.message, self.detail = str(path), line, message, detail
        self.where = where  # a notebook post's "cell <n>, line <m>", in place of the line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        if self.where:
            where = f"{self.path}:{self.where}"
        text = f"{where}: error: {self.message}"
        return f"{text}\n{self.detail.rstrip()}" if self.detail else text

    def __reduce__(self):  # keep the fields when sent from a worker process
        return (BuildError, (self.path, self.line, self.message, self.detail, self.where))

    @property
    def errors(self) -> list[BuildError]:
        return [self]


class BuildErrors(BuildError):
    """Several problems of one post found at once (e.g. all of its front matter's), in line order."""

    def __init__(self, errors: list[BuildError]):
        self._errors = sorted(errors, key=lambda error: error.line or 0)
        first = self._errors[0]
        super().__init__(first.path, first.line, first.message, first.detail)

    def __str__(self) -> str:
        return "\n".join(BuildError.__str__(error) for error in self._errors)

    def __reduce__(self):
        return (BuildErrors, (self._errors,))

    @property
    def errors(self) -> list[BuildError]:
        return list(self._errors)


def raise_all(errors: list[BuildError]) -> None:
    """Raise nothing, the one error, or all of them together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise BuildErrors(errors)
