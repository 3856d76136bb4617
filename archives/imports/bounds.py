"""The bounds on an imported file: its zip members before openpyxl parses them, and its rows.

An XLSX is a zip of XML parts, and openpyxl reads the whole shared-strings part
into memory: a 1 MiB upload that inflates to 1 GiB took a worker to 7.8 GiB.
So every member's sizes are read from the zip directory first and the file is
refused, before any XML is parsed, when the parts add up to more than
IMPORT_MAX_UNCOMPRESSED_MB or a large part inflates more than
IMPORT_MAX_COMPRESSION_RATIO times (Python's zipfile never inflates a member past
the size the directory declares). XML entities are refused by defusedxml, which
openpyxl uses when it is installed (requirements/runtime.txt). The rows are counted as
they are read: the file is refused at row IMPORT_MAX_ROWS + 1 of a sheet, without
reading the rest.
"""

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

MB = 1024 * 1024
# Small parts (styles, the theme) may compress very well without being a threat.
RATIO_FLOOR = 1 * MB


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
    """Refuse an XLSX whose parts inflate too much, reading only the zip's directory."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise UnreadableFile(
            _("This file cannot be opened as an Excel workbook (.xlsx).")
        ) from error
    finally:
        fileobj.seek(0)
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
