"""File imports into the archive: the names tasks, commands and the other imports use.

archive.py checks village archives row by row (duplicates.py: the customers already
holding a number; writes.py: writing them, all or nothing); rows.py is what every
import shares (the balance import in archives/balances.py and the ledger import in
assessment/imports.py too); files.py reads XLSX and CSV sheets and their
cells; template.py builds the downloadable template.
"""

from .archive import import_archive
from .files import UnreadableFile  # raised by import_archive for a file it cannot read
from .rows import CHUNK, ImportResult, Problem, Progress, Row, RowChecker

__all__ = [
    "CHUNK",
    "ImportResult",
    "Problem",
    "Progress",
    "Row",
    "RowChecker",
    "UnreadableFile",
    "import_archive",
]
