"""One error shape for the whole product.

Domain code raises :class:`DomainError` (or a subclass) with an HTTP status, a
stable machine code and, for validation, the fields at fault.  The API turns it
into ``application/problem+json`` (RFC 9457); forms put each field error next to
its field; the CLI prints it on stderr.  Nobody invents an error format per
endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldError:
    field: str
    message: str
    code: str = "invalid"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": str(self.message), "code": self.code}


@dataclass
class DomainError(Exception):
    """An error a client or user can act on."""

    title: str
    status: int = 400
    code: str = "bad_request"
    detail: str = ""
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.detail or self.title)

    def __str__(self) -> str:
        if self.errors:
            return "; ".join(f"{e.field}: {e.message}" for e in self.errors)
        return str(self.detail or self.title)

    def problem(self, instance: str = "") -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"https://kundebase.org/problems/{self.code}",
            "title": str(self.title),
            "status": self.status,
            "code": self.code,
            "detail": str(self.detail or self.title),
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [e.as_dict() for e in self.errors]
        body.update(self.extra)
        return body


class ValidationFailed(DomainError):
    def __init__(self, errors: list[FieldError], detail: str = "") -> None:
        super().__init__(
            title="Validation failed",
            status=422,
            code="validation_failed",
            detail=detail or "; ".join(f"{e.field}: {e.message}" for e in errors),
            errors=errors,
        )

    @classmethod
    def one(cls, field_name: str, message: str, code: str = "invalid") -> ValidationFailed:
        return cls([FieldError(field_name, message, code)])


class NotFound(DomainError):
    def __init__(self, what: str, key: object) -> None:
        super().__init__(title="Not found", status=404, code="not_found", detail=f"{what} {key} does not exist")


class PreconditionFailed(DomainError):
    def __init__(self, detail: str = "The record was changed by someone else; reload and try again") -> None:
        super().__init__(title="Precondition failed", status=412, code="stale_write", detail=detail)


class Conflict(DomainError):
    def __init__(self, detail: str, code: str = "conflict", **extra: Any) -> None:
        super().__init__(title="Conflict", status=409, code=code, detail=detail, extra=extra)


class Forbidden(DomainError):
    def __init__(self, detail: str = "You do not have permission to do this") -> None:
        super().__init__(title="Forbidden", status=403, code="forbidden", detail=detail)


class ErrorCollector:
    """Collects field errors so a request reports all of them at once, then raises."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field_name: str, message: str, code: str = "invalid") -> None:
        self.errors.append(FieldError(field_name, str(message), code))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
