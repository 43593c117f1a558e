"""CSV exports that open correctly in Japanese Excel.

One definition for every download in Kata: UTF-8 with a byte-order mark (Excel
reads UTF-8 without it as Shift_JIS), CRLF line ends, and cells that would run
as formulas neutralised with a leading apostrophe (CSV injection). Rows are
streamed, so an export of 100,000 accounts does not sit in memory.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

# Spreadsheet programs run cells that start with these as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell as text, a would-be formula neutralised with a leading apostrophe.

    Numbers stay numbers (a negative figure is not a formula); moments are
    written in the local time zone as ``YYYY-MM-DD HH:MM``, dates as
    ``YYYY-MM-DD``, which Excel reads as dates in both languages."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value):
        return value


def csv_lines(header: Sequence, rows: Iterable[Sequence]) -> Iterable[str]:
    """The export as text lines: the BOM first, then the header and the rows."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def csv_response(
    filename: str, header: Sequence, rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """A download named ``filename`` (``.csv`` added when missing)."""
    if not filename.endswith(".csv"):
        filename += ".csv"
    return StreamingHttpResponse(
        csv_lines(header, rows),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )
