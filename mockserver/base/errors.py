"""Errors raised by state rules and turned into Callr error bodies by the HTTP layer.

The body of every error is ``{"code": "<kebab-case>", "message": "<human text>"}``
(house decision). ``status`` is the HTTP status the error maps to.
"""

from __future__ import annotations


class ApiError(Exception):
    """A Callr-style error: machine ``code``, human ``message``, HTTP ``status``."""

    status = 400
    code = "invalid-request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def body(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class InvalidInput(ApiError):
    status = 400
    code = "invalid-request"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not-found"


class InsufficientCredit(Forbidden):
    code = "insufficient-credit"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported-media-type"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload-too-large"


class MethodNotAllowedError(ApiError):
    status = 405
    code = "method-not-allowed"

    def __init__(self, message: str, *, allowed: list[str]) -> None:
        super().__init__(message)
        self.allowed = allowed
