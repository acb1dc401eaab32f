"""The statuses patch handling returns that :mod:`mlkube.engine.errors` has no class for.

``NewGenericServerResponse(422, ...)`` (a JSON patch that fails to apply, a strategic patch
with lists of lists) gives the fixed message below with empty details; a plain Go error that
reaches the handler becomes a 500 whose message is the error text and whose reason is empty
(``responsewriters.ErrorToAPIStatus``); an unsupported patch content type is 415
(``negotiation.NewUnsupportedMediaTypeError``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from mlkube.engine.errors import ApiError

__all__ = [
    "UNPROCESSABLE_MESSAGE",
    "server_error",
    "unprocessable",
    "unsupported_media_type",
]

# k8s.io/apimachinery/pkg/api/errors/errors.go NewGenericServerResponse, StatusUnprocessableEntity
UNPROCESSABLE_MESSAGE: Final = "the server rejected our request due to an error in our request"


def unprocessable() -> ApiError:
    """422 ``Invalid`` with the generic message and ``"details": {}``."""
    return ApiError(UNPROCESSABLE_MESSAGE, code=422, reason="Invalid", details={})


def server_error(message: str) -> ApiError:
    """500 with an empty reason: an error that is not a ``metav1.Status`` upstream."""
    return ApiError(message, code=500, reason="")


def unsupported_media_type(accepted: Sequence[str]) -> ApiError:
    """415 ``UnsupportedMediaType`` listing the accepted content types."""
    return ApiError(
        "the body of the request was in an unknown format - accepted media types include: "
        + ", ".join(accepted),
        code=415,
        reason="UnsupportedMediaType",
    )
