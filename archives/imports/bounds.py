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
