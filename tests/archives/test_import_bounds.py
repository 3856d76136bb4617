"""Uploads bounded: size, zip members, XML entities, rows, problems, a streamed CSV and NUL bytes.

Every hostile file is built here. Each upload either is refused by the form (nothing
stored) or ends its job `failed` with a Chinese reason; none stays running.
"""

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook

from archives import imports, sheets
from archives.imports import files, rows
from archives.models import Customer
from jobs.models import Job
from tests.archives.test_import import H, row, run, upload, xlsx
from tests.conftest import login
from tests.storage import stored_files

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def with_part(data, name, content, *, compress=zipfile.ZIP_DEFLATED):
    """The workbook `data` with its part `name` replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item.filename))
        target.writestr(name, content)
    return out.getvalue()


def shared_strings(*texts, doctype=""):
    items = "".join(f"<si><t>{t}</t></si>" for t in texts)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(texts)}" uniqueCount="{len(texts)}">{items}</sst>'
    ).encode()


def csv_file(lines):
    return ("\r\n".join(",".join(cells) for cells in lines) + "\r\n").encode("utf-8")


def failed_with(client, data, name="档案.xlsx"):
    upload(client, data, name=name)
    job = Job.objects.get()
    assert job.status == "failed", (job.status, job.result)
    return job.message


# --- the upload's size -----------------------------------------------------------------


@pytest.mark.parametrize(("extra", "refused"), [(0, False), (1, True)])
def test_an_upload_above_the_size_limit_is_refused_by_the_form(
    world, media, settings, extra, refused
):
    settings.IMPORT_MAX_UPLOAD_MB = 1
    data = b"x" * (MB + extra)

    response = upload(login(world.head_office), data, name="档案.csv")

    if refused:
        assert response.status_code == 200
        assert "文件 1.0 MB，上限 1 MB。" in response.text
        assert not Job.objects.exists()
        assert stored_files() == []
    else:
        assert response.status_code == 302
        assert Job.objects.get().status in ("done", "failed")  # accepted, then read


# --- the zip of an XLSX ----------------------------------------------------------------


def test_a_part_that_inflates_a_thousand_times_is_refused_before_parsing(world, media):
    bomb = with_part(
        xlsx([row(world.village_a)]), "xl/sharedStrings.xml", shared_strings("A" * (3 * MB))
    )
    assert len(bomb) < 20_000  # 3 MB of text packed into a few kilobytes

    message = failed_with(login(world.head_office), bomb)

    assert "xl/sharedStrings.xml" in message
    assert "100 倍" in message


@pytest.mark.parametrize(("limit_mb", "refused"), [(2, True), (3, False)])
def test_parts_unpacking_beyond_the_total_limit_are_refused(
    world, media, settings, limit_mb, refused
):
    settings.IMPORT_MAX_UNCOMPRESSED_MB = limit_mb
    noise = "".join(f"{i:08x}{i * 7919 % 65521:05d}" for i in range(200_000))  # ~2.5 MB, packs ~3x
    data = with_part(xlsx([row(world.village_a)]), "xl/padding.xml", noise)

    upload(login(world.head_office), data)

    job = Job.objects.get()
    if refused:
        assert job.status == "failed"
        assert f"超过上限 {limit_mb} MB" in job.message
    else:
        assert job.status == "done"


def test_an_xml_entity_bomb_is_refused(world, media):
    doctype = (
        "<!DOCTYPE sst ["
        '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
        "]>"
    )
    data = xlsx([row(world.village_a, name="赵大海")])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    sheet = doctype + sheet.replace("赵大海", "&d;")
    bomb = with_part(data, "xl/worksheets/sheet1.xml", sheet)

    message = failed_with(login(world.head_office), bomb)

    assert "XML 实体" in message
    assert not Customer.objects.filter(name="赵大海").exists()


def shared_strings_workbook(sst: bytes) -> bytes:
    """A workbook whose only text cell (A1) is shared string 0 of `sst`."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    )
    data = with_part(xlsx([{"name": "赵大海"}]), "xl/worksheets/sheet1.xml", sheet)
    return with_part(data, "xl/sharedStrings.xml", sst)


ENTITIES = (
    "<!DOCTYPE sst ["
    '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    "]>"
)


def test_entities_declared_in_the_shared_strings_are_refused_before_parsing(world, media):
    bomb = shared_strings_workbook(shared_strings("&b;", doctype=ENTITIES))

    message = failed_with(login(world.head_office), bomb)

    assert "XML 实体" in message


def test_entities_behind_a_padded_prolog_are_refused(world, media):
    # A prolog padded past the first chunk bounds.py reads: it reads on to the first element.
    padding = "<!--" + "x" * (200 * 1024) + "-->"
    sst = shared_strings("&b;", doctype=padding + ENTITIES)
    assert b"<!DOCTYPE" not in sst[: 64 * 1024]

    message = failed_with(login(world.head_office), shared_strings_workbook(sst))

    assert "XML 实体" in message


def test_the_header_is_row_one_even_when_the_sheet_starts_lower(world):
    # calamine skips the blank rows and columns around a sheet's cells unless told not to;
    # the report must use the spreadsheet's own row numbers, as it always did.
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheets.CUSTOMER_SHEET
    values = row(world.village_a, phone="12345")
    for column, name in enumerate(values, start=2):
        ws.cell(row=3, column=column, value=H[name])
        ws.cell(row=5, column=column, value=values[name])
    buffer = io.BytesIO()
    workbook.save(buffer)

    result = run(buffer.getvalue())

    assert ("客户", 1, H["customer_type"]) in [(p.sheet, p.row, p.column) for p in result.problems]
    assert not result.written


# --- rows --------------------------------------------------------------------------------


def header_and_rows(world, n):
    names = ["customer_type", "village", "name", "id_number"]
    return [[H[c] for c in names]] + [
        ["一般农户", world.village_a.code, f"村民{i}", ""] for i in range(n)
    ]


@pytest.mark.parametrize(("rows_in_file", "refused"), [(5, False), (6, True)])
def test_the_row_limit_is_inclusive(world, settings, rows_in_file, refused):
    settings.IMPORT_MAX_ROWS = 5
    data = csv_file(header_and_rows(world, rows_in_file))
    if refused:
        with pytest.raises(imports.UnreadableFile, match="超过 5 行"):
            run(data, filename="档案.csv", dry_run=True)
    else:
        assert run(data, filename="档案.csv", dry_run=True).error_rows == rows_in_file


class CountingReads(io.BytesIO):
    """A file that remembers how much was read from it, and in what pieces."""

    def __init__(self, data):
        super().__init__(data)
        self.sizes = []

    def read(self, size=-1):
        chunk = super().read(size)
        self.sizes.append(size)
        self.bytes_read = getattr(self, "bytes_read", 0) + len(chunk)
        return chunk


def test_a_file_over_the_row_limit_fails_its_job_without_reading_the_rest(world, media, settings):
    settings.IMPORT_MAX_ROWS = 100
    data = csv_file(header_and_rows(world, 200_000))  # ~6 MB

    message = failed_with(login(world.head_office), data, name="档案.csv")
    assert "超过 100 行" in message

    counting = CountingReads(data)
    with pytest.raises(imports.UnreadableFile):
        imports.import_archive(
            counting, filename="档案.csv", user=None, today=None, now=None, dry_run=True
        )
    assert counting.bytes_read < len(data) / 20


def test_a_csv_is_read_as_a_stream_never_whole(world):
    data = csv_file(header_and_rows(world, 20_000))
    counting = CountingReads(data)
    imports.import_archive(
        counting, filename="档案.csv", user=None, today=None, now=None, dry_run=True
    )
    assert counting.bytes_read == len(data)
    assert all(0 < size <= files.CSV_CHUNK for size in counting.sizes)


def test_checking_stops_after_the_error_limit_and_says_so(world, media, monkeypatch):
    monkeypatch.setattr(rows, "ERROR_LIMIT", 10)
    lines = header_and_rows(world, 100)
    for cells in lines[1:]:
        cells[3] = "123"  # a bad ID number on every row

    result = run(csv_file(lines), filename="档案.csv", dry_run=True, chunk=5)

    assert result.stopped_at == 11  # two chunks of five rows, below the header
    assert result.problem_count == 10
    upload(login(world.head_office), csv_file(lines), name="档案.csv")
    page = login(world.head_office).get(Job.objects.get().get_absolute_url()).text
    assert 'id="import-stopped"' in page
    assert "之后的行未检查" in page


# --- NUL bytes and what else a reader may choke on -------------------------------------


def test_a_nul_byte_is_refused_with_a_message_naming_its_cell(world, media):
    lines = header_and_rows(world, 2)
    lines[2][2] = "村民\x001"
    upload(login(world.head_office), csv_file(lines), name="档案.csv")
    job = Job.objects.get()
    assert job.status == "done"
    nul = [e for e in job.errors if "空字符" in e["message"]]
    assert [(e["row"], e["column"]) for e in nul] == [(3, H["name"])]
    assert "单元格 C3 含有空字符" in nul[0]["message"]
    assert all("\x00" not in e["message"] for e in job.errors)


def test_a_csv_in_neither_encoding_fails_with_a_reason(world, media):
    lines = header_and_rows(world, 3)
    data = csv_file(lines) + b"\xff\xfe\xfa" * 40_000  # valid text first, then bytes of no encoding
    message = failed_with(login(world.head_office), data, name="档案.csv")
    assert "UTF-8" in message


def test_a_damaged_sheet_fails_with_a_reason(world, media):
    data = with_part(
        xlsx([row(world.village_a)]), "xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row"
    )
    message = failed_with(login(world.head_office), data)
    assert message
    assert "意外" not in message  # its own reason, not the generic one


def test_the_job_page_of_a_refused_file_shows_the_reason(world, media):
    bomb = with_part(
        xlsx([row(world.village_a)]), "xl/sharedStrings.xml", shared_strings("A" * (3 * MB))
    )
    client = login(world.head_office)
    upload(client, bomb)
    page = client.get(reverse("jobs:job", args=[Job.objects.get().pk])).text
    assert 'id="job-failure"' in page
    assert "100 倍" in page


def with_error_cells(data, cells):
    """The workbook `data` with each (sheet, cell) holding a formula's error, as Excel saves
    one: t="e" and the error's text."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    for sheet, cell in cells:
        workbook[sheet][cell].value = "#DIV/0!"
        workbook[sheet][cell].data_type = "e"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "cells",
    [
        [(sheets.CUSTOMER_SHEET, "C2")],
        [(sheets.MEMBER_SHEET, "B2")],
        [(sheets.CUSTOMER_SHEET, "C2"), (sheets.CUSTOMER_SHEET, "D3"), (sheets.MEMBER_SHEET, "A2")],
    ],
)
def test_a_formula_error_is_refused_naming_its_cells_not_read_as_empty(world, media, cells):
    # calamine reads an error cell as empty, which the import would take as "keep what is
    # stored": the whole file is refused instead, each cell named.
    customer = row(world.village_a)
    members = [{"name": "王小明", "relation": "子女"}]
    data = with_error_cells(xlsx([customer, row(world.village_a)], members), cells)
    before = Customer.objects.count()

    message = failed_with(login(world.head_office), data)

    assert "公式" in message
    for sheet, cell in cells:
        assert f"{sheet} {cell}" in message
    assert Customer.objects.count() == before


def test_error_cells_are_found_wherever_the_sheet_is_cut_into_chunks(world, media):
    # The sheet's XML is read 64 KiB at a time: 3,000 rows put the error cells in later chunks.
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheets.CUSTOMER_SHEET
    ws.append([H["name"], H["id_number"]])
    for i in range(3000):
        ws.append([f"村民{i:04d}", f"备注文字{i:04d}" * 3])
    for cell in ("B1500", "A3001"):
        ws[cell].value = "#N/A"
        ws[cell].data_type = "e"
    out = io.BytesIO()
    workbook.save(out)
    sheet_xml = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml")
    assert len(sheet_xml) > 3 * 64 * 1024

    message = failed_with(login(world.head_office), out.getvalue())

    assert f"{sheets.CUSTOMER_SHEET} B1500" in message
    assert f"{sheets.CUSTOMER_SHEET} A3001" in message
