"""Sending a stored file from a Flask view: byte ranges (206/416), download headers, streaming.

Only the chunks covering the requested range are decrypted. The first chunk is decrypted before the
response starts, so a file damaged there gets a clean error; a chunk damaged further on aborts the
transfer (the client sees a short body), it is never replaced by unauthenticated bytes.
"""

import re
from urllib.parse import quote

from flask import Response, abort, request

from saas.storage import crypto
from saas.storage.models import Blob
from saas.storage.operations import open_range, read_all

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None | bool:
    """(start, end) inclusive for a single satisfiable range; None to send everything (no header, a
    malformed one or several ranges, which RFC 9110 lets a server ignore); False when unsatisfiable."""
    match = RANGE.match((header or "").replace(" ", ""))
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        suffix = int(last)
        if suffix == 0 or size == 0:
            return False
        return max(size - suffix, 0), size - 1
    start = int(first)
    end = size - 1 if last == "" else int(last)
    if last != "" and end < start:
        return None
    if start >= size:
        return False
    return start, min(end, size - 1)


def content_disposition(filename: str, inline: bool) -> str:
    """RFC 6266 with an ASCII fallback and the exact UTF-8 name in ``filename*`` (RFC 5987)."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_").replace("\\", "_")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def send_blob(blob: Blob, filename: str, mimetype: str, inline: bool = False) -> Response:
    """A streamed response for ``blob``: 200, or 206 for a ``Range: bytes=…`` request, or 416."""
    etag = f'"{blob.sha256}"'
    headers = {
        "Accept-Ranges": "bytes",
        "Content-Disposition": content_disposition(filename, inline),
        "X-Content-Type-Options": "nosniff",
        "ETag": etag,
        "Cache-Control": "private, no-store",
    }
    wanted = parse_range(request.headers.get("Range"), blob.size)
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range != etag:
        wanted = None
    if wanted is False:
        headers["Content-Range"] = f"bytes */{blob.size}"
        return Response(status=416, headers=headers)
    if blob.size == 0:
        try:
            read_all(blob)
        except crypto.IntegrityError as error:
            abort(500, description=str(error))
        return Response(b"", status=200, mimetype=mimetype, headers=headers)
    start, end = wanted if wanted else (0, blob.size - 1)
    pieces = open_range(blob, start, end)
    try:
        first = next(pieces)
    except crypto.IntegrityError as error:
        abort(500, description=str(error))

    def body():
        yield first
        yield from pieces

    headers["Content-Length"] = str(end - start + 1)
    status = 200
    if wanted:
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end}/{blob.size}"
    response = Response(body(), status=status, mimetype=mimetype, headers=headers)
    response.direct_passthrough = True
    return response
