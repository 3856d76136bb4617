"""Drop-down lists (data validation) for the coded columns of the import templates.

Every template (the archive, balances, movements, the ledger, corporate figures) gives
each coded column a list of the labels its import accepts, taken from the same tables
the import parses with (sheets.CHOICE_LABELS, sheets.TRUE_WORDS, ...), so a list cannot
drift from the parser. A short list (yes/no, 收/支, four values at most) is written in the
validation itself; a longer one (or one over Excel's 255 characters, or with a comma in
a label) goes in a column of a hidden sheet, 下拉选项, that the validation refers to. A column that holds several values (e-banking
products, 、-separated) gets the list as a suggestion only: other text is not refused.
"""

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from . import sheets
from .choices import Relation

# Excel refuses a list formula longer than this (the quotes included); a list of more
# than a few values is kept on the hidden sheet anyway, where it can be read.
INLINE_LIMIT = 255
INLINE_VALUES = 4
# Rows below the header that get the drop-down: the import's own row limit is higher,
# but a template is filled by hand.
LAST_ROW = 5001


def yes_no() -> list[str]:
    """The words a yes/no column shows: the first of the words the import reads as yes/no."""
    return [sheets.TRUE_WORDS[0], sheets.FALSE_WORDS[0]]


class Dropdowns:
    """Adds list validations to a workbook's sheets, keeping long lists on one hidden sheet."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.lists = None  # the hidden sheet, made at the first long list
        self.stored: dict[tuple[str, ...], str] = {}  # a list -> its range on that sheet

    def add(self, sheet, column_index: int, values, *, several: bool = False, first_row: int = 2):
        """A drop-down of `values` on the column's cells below the header."""
        values = [str(v) for v in values]
        inline = '"' + ",".join(values) + '"'
        short = len(values) <= INLINE_VALUES and len(inline) <= INLINE_LIMIT
        if short and not any("," in v or '"' in v for v in values):
            formula = inline
        else:
            formula = self._stored(tuple(values))
        validation = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=not several,
            showInputMessage=True,
            errorTitle=_("Not on the list"),
            error=_("Choose a value from the drop-down list."),
            promptTitle=_("Several values") if several else None,
            prompt=(_("Choose one, or write several separated by 、.") if several else None),
        )
        letter = get_column_letter(column_index)
        validation.add(f"{letter}{first_row}:{letter}{LAST_ROW}")
        sheet.add_data_validation(validation)
        return validation

    def _stored(self, values: tuple[str, ...]) -> str:
        if values not in self.stored:
            if self.lists is None:
                self.lists = self.workbook.create_sheet(sheets.LISTS_SHEET)
                self.lists.sheet_state = "hidden"
            column = len(self.stored) + 1
            letter = get_column_letter(column)
            for row, value in enumerate(values, start=1):
                self.lists.cell(row, column, value)
            self.stored[values] = (
                f"{quote_sheetname(sheets.LISTS_SHEET)}!${letter}$1:${letter}${len(values)}"
            )
        return self.stored[values]

    def finish(self) -> None:
        """Put the hidden sheet last, behind the sheets the template added after it."""
        if self.lists is not None:
            names = self.workbook.sheetnames
            self.workbook.move_sheet(self.lists, len(names) - 1 - names.index(self.lists.title))


# Choices the import always refuses in a column, left off its list: a family row is never
# the head of household (archives.household; the customer of the sheet is).
LEFT_OFF = {Relation: {Relation.HEAD}}


def column_values(column) -> tuple[list[str], bool] | None:
    """The drop-down of an archive column (archives/sheets.py) and whether it takes several
    values; None for a column that is not coded."""
    if column.kind == "choice":
        left_off = LEFT_OFF.get(column.choices, set())
        labels = sheets.CHOICE_LABELS[column.choices]
        return [labels[v][0] for v in column.choices.values if v not in left_off], False
    if column.kind == "products":
        return sheets.labels(column.choices), True
    if column.kind == "boolean":
        return yes_no(), False
    return None
