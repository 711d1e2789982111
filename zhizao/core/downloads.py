"""Files the platform hands out for saving rather than showing (PDF reports, exports)."""

from urllib.parse import quote

from django.http import HttpResponse


def content_disposition(filename: str, ascii_fallback: str) -> str:
    """`attachment` with the real (Chinese) name as RFC 5987 `filename*`, which browsers prefer,
    and an ASCII `filename` for clients that read only that one."""
    fallback = ascii_fallback.encode("ascii", "ignore").decode().replace('"', "") or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment_response(
    content: bytes, content_type: str, filename: str, ascii_fallback: str
) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, ascii_fallback)
    return response
