"""Kata's display formats, one per language (FORMAT_MODULE_PATH).

Pages name a format (`|date:"DATETIME_FORMAT"`), never spell one out, so that every
date reads the same way in a language. Input formats are Django's own for the
language (this module does not define them); machine formats (CSV, API, the value
of an `<input type="date">`) stay ISO 8601.
"""
