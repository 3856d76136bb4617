"""File imports into the archive: what tasks, commands and the other imports use from here.

archive.py checks and writes village archives; files.py reads XLSX and CSV sheets
and their cells; template.py builds the downloadable template. The balance import
(archives/balances.py) and the ledger import (assessment/ledger_import.py) build on
RowChecker and Row, so every import reports problems and progress the same way.
"""

from .archive import (
    CHUNK,
    ImportResult,
    Problem,
    Progress,
    Row,
    RowChecker,
    import_archive,
)
from .files import UnreadableFile  # raised by import_archive for a file it cannot read

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
