"""The bounds on an imported file: its zip members before calamine parses them, and its rows.

An XLSX is a zip of XML parts, and a reader holds the shared strings and (calamine)
the whole sheet in memory: a 1 MiB upload that inflates to 1 GiB took a worker to
7.8 GiB. So every member's sizes are read from the zip directory first and the file
is refused, before any XML is parsed, when the parts add up to more than
IMPORT_MAX_UNCOMPRESSED_MB or a large part inflates more than
IMPORT_MAX_COMPRESSION_RATIO times (Python's zipfile never inflates a member past
the size the directory declares). XML entities: calamine (quick-xml) never expands
one a DOCTYPE declares, it stops at the reference (and then says only that it cannot
read the file); so the prolog of every XML part is read here and a part declaring a
DOCTYPE is refused with its own message, whatever the reader does. The rows are
counted as they are read: the file is refused at row IMPORT_MAX_ROWS + 1 of a sheet,
without reading the rest.
"""

import html
import re
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

MB = 1024 * 1024
# Small parts (styles, the theme) may compress very well without being a threat.
RATIO_FLOOR = 1 * MB
# A DOCTYPE sits in a part's prolog, before its first element: read in chunks of this.
PROLOG = 64 * 1024


class UnreadableFile(Exception):
    """The file cannot be read as an archive at all (the message is for people)."""


@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_uncompressed: int  # bytes
    max_ratio: int

    @classmethod
    def from_settings(cls):
        return cls(
            max_rows=settings.IMPORT_MAX_ROWS,
            max_uncompressed=settings.IMPORT_MAX_UNCOMPRESSED_MB * MB,
            max_ratio=settings.IMPORT_MAX_COMPRESSION_RATIO,
        )


def check_zip(fileobj, limits: Limits) -> None:
    """Refuse an XLSX whose parts inflate too much (from the zip's directory) or declare a DOCTYPE."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
            _check_sizes(members, limits)
            if any(_declares_doctype(archive, m) for m in members):
                raise entities_refused()
            if errors := _error_cells(archive):
                raise formula_errors(errors)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as error:
        raise UnreadableFile(
            _("This file cannot be opened as an Excel workbook (.xlsx).")
        ) from error
    finally:
        fileobj.seek(0)


def _check_sizes(members, limits: Limits) -> None:
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > RATIO_FLOOR and (
            member.compress_size == 0 or member.file_size / member.compress_size > limits.max_ratio
        ):
            raise UnreadableFile(
                _(
                    "The workbook was refused: its part %(part)s expands from %(packed)s MB to %(size)s MB, "
                    "more than %(ratio)s times; a spreadsheet program does not write such files."
                )
                % {
                    "part": member.filename,
                    "packed": _mb(member.compress_size),
                    "size": _mb(member.file_size),
                    "ratio": limits.max_ratio,
                }
            )
    if total > limits.max_uncompressed:
        raise UnreadableFile(
            _(
                "The workbook was refused: unpacked it takes %(size)s MB, more than the limit of "
                "%(limit)s MB. Split it into several files."
            )
            % {"size": _mb(total), "limit": _mb(limits.max_uncompressed)}
        )


def _declares_doctype(archive, member) -> bool:
    """Whether the part's prolog (before its first element) holds a DOCTYPE.

    Read a chunk at a time, past the XML declaration, processing instructions and
    comments, so a prolog padded with comments does not hide one; the part is never
    inflated further than its first element.
    """
    if not member.filename.endswith((".xml", ".rels")) or member.is_dir():
        return False
    with archive.open(member) as part:
        head = part.read(PROLOG)
        while True:
            head = head.lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()
            if head.startswith((b"<!DOCTYPE", b"<!ENTITY")):
                return True
            ends = {b"<?": b"?>", b"<!--": b"-->"}
            opener = next((o for o in ends if head.startswith(o)), None)
            if opener is None and len(head) >= 9:
                return False  # the first element (or not XML at all: calamine says so)
            end = head.find(ends[opener], len(opener)) if opener else -1
            if end >= 0:
                head = head[end + len(ends[opener]) :]
                continue
            more = part.read(PROLOG)
            if not more:
                return False
            head += more


# A cell holding a formula's error (#DIV/0!, #N/A, #REF! ...) is written t="e"; calamine
# reads it as an empty cell, which an import takes as "keep what is stored": refused instead.
ERROR_CELL = re.compile(
    rb'<c\b[^>]*?\br="([A-Z]+[0-9]+)"[^>]*?\bt="e"|<c\b[^>]*?\bt="e"[^>]*?\br="([A-Z]+[0-9]+)"'
)
SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)>")
TARGET = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
SHOWN_ERRORS = 5


def _error_cells(archive) -> list[tuple[str, str]]:
    """(sheet name, cell) of the first cells holding a formula's error, read a chunk at a time."""
    names = _sheet_names(archive)
    found = []
    for member in archive.infolist():
        if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
            continue
        with archive.open(member) as part:
            tail = b""  # a cell's tag cut by a chunk's end is read whole with the next
            while chunk := part.read(PROLOG):
                text = tail + chunk
                if b't="e"' in text:
                    for match in ERROR_CELL.finditer(text):
                        cell = (
                            names.get(member.filename, member.filename),
                            (match[1] or match[2]).decode(),
                        )
                        if cell not in found:
                            found.append(cell)
                        if len(found) >= SHOWN_ERRORS:
                            return found
                tail = text[-256:]
    return found


def _sheet_names(archive) -> dict[str, str]:
    """Each worksheet part's sheet name, from the workbook and its relationships."""
    try:
        book = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return {}
    targets = {}
    for tag in TARGET.findall(rels):
        attributes = dict(ATTRIBUTE.findall(tag))
        target = attributes.get(b"Target", b"").decode().lstrip("/")
        targets[attributes.get(b"Id", b"").decode()] = (
            target if target.startswith("xl/") else f"xl/{target}"
        )
    names = {}
    for tag in SHEET.findall(book):
        attributes = dict(ATTRIBUTE.findall(tag))
        part = targets.get(attributes.get(b"r:id", b"").decode())
        if part:
            names[part] = html.unescape(attributes.get(b"name", b"").decode("utf-8", "replace"))
    return names


def formula_errors(cells) -> UnreadableFile:
    return UnreadableFile(
        _(
            "The workbook was refused: these cells hold a formula's error (such as #DIV/0! or "
            "#N/A), which would be read as empty: %(cells)s. Correct them or type the values, "
            "then import again."
        )
        % {"cells": "、".join(f"{sheet} {cell}" for sheet, cell in cells)}
    )


def entities_refused() -> UnreadableFile:
    return UnreadableFile(
        _(
            "The workbook was refused: it declares XML entities, which a spreadsheet program "
            "does not write and which can make a small file expand without end."
        )
    )


def too_many_rows(title: str, limits: Limits) -> UnreadableFile:
    return UnreadableFile(
        _(
            "Sheet %(sheet)s has more than %(limit)s rows, the most one import takes. "
            "Nothing was imported; split the file into several."
        )
        % {"sheet": title, "limit": f"{limits.max_rows:,}"}
    )


def _mb(size: int) -> str:
    return f"{size / MB:.1f}".removesuffix(".0")
