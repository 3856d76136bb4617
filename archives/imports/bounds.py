"""The bounds on an imported file: its zip members before calamine parses them, and its rows.

An XLSX is a zip of XML parts, and a reader holds the shared strings and (calamine)
the whole sheet in memory: a 1 MiB upload that inflates to 1 GiB took a worker to
7.8 GiB. So every member's sizes are read from the zip directory first and the file
is refused, before any XML is parsed, when the parts add up to more than
IMPORT_MAX_UNCOMPRESSED_MB or a large part inflates more than
IMPORT_MAX_COMPRESSION_RATIO times (Python's zipfile never inflates a member past
the size the directory declares). XML entities: calamine (quick-xml) never expands
one a DOCTYPE declares, it stops at the reference; still, the head of every XML
part is read here and a part declaring a DOCTYPE is refused with its own message,
whatever the reader does. The rows are counted as they are read: the file is
refused at row IMPORT_MAX_ROWS + 1 of a sheet, without reading the rest.
"""

import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

MB = 1024 * 1024
# Small parts (styles, the theme) may compress very well without being a threat.
RATIO_FLOOR = 1 * MB
# A DOCTYPE sits in a part's prolog, before its first element: spreadsheet programs
# write a prolog of one line, so the head of each part is enough to see it.
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
    if not member.filename.endswith((".xml", ".rels")) or member.is_dir():
        return False
    with archive.open(member) as part:  # inflates only the head, never the whole part
        head = part.read(PROLOG)
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head


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
