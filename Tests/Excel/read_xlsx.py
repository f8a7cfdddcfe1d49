"""Reads an .xlsx workbook with openpyxl (an independent reader) and prints one JSON object:
{"sheets": [{"name": ..., "rows": [[cell, ...], ...], "types": [[type name, ...], ...]}]}.

usage: read_xlsx.py WORKBOOK.xlsx
Run by the Swift tests with the .venv that `bash .ci/setup --tests` makes."""
import json
import sys

import openpyxl

book = openpyxl.load_workbook(sys.argv[1])
sheets = []
for sheet in book.worksheets:
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    sheets.append({"name": sheet.title, "rows": rows, "types": [[type(v).__name__ for v in r] for r in rows],
                   "frozen": sheet.freeze_panes, "filter": sheet.auto_filter.ref})
print(json.dumps({"sheets": sheets}, ensure_ascii=False, default=str))
