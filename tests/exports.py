"""Reading the CSV downloads of config/exports.py in tests."""

import csv
import io


def body(response) -> bytes:
    """The bytes of a response, streamed or not."""
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
        response.streaming_content = [data]  # readable again
        return data
    return response.content


def rows(response) -> list[list[str]]:
    """The CSV table of a download, as Excel would read it (BOM dropped)."""
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
