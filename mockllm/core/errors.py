"""The error a request gets when it cannot be served: `RequestError`, and `bad_request` for a client mistake."""

from __future__ import annotations

from mockllm.core.events import Error


class RequestError(Exception):
    """A request the dialect cannot serve; `error` says what to answer."""

    def __init__(self, error: Error) -> None:
        super().__init__(error.message)
        self.error = error


def bad_request(message: str, param: str | None = None, status: int = 400, code: str | None = None) -> RequestError:
    """A RequestError for a client mistake."""
    return RequestError(Error(message, status=status, type="invalid_request_error", param=param, code=code))
