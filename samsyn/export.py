"""Exports of stored answers (pseudonymous): Excel via openpyxl, or CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from samsyn.escape import spreadsheet_cell
from store import Store



def write_answers(url: str, output: Path, fmt: str = "xlsx", *, hub_usernames: bool = False) -> int:
    """Every answer; hub users under a pseudonym unless ``hub_usernames`` (the operator's choice)."""
    rows = Store(url).export_rows(hub_usernames=hub_usernames)
    columns = list(rows[0].keys()) if rows else ["answer_id", "pseudonym", "case_id", "round", "risk"]
    output.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        with output.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: spreadsheet_cell(v) for k, v in row.items()})
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "answers"
        ws.append(columns)
        for row in rows:
            ws.append([spreadsheet_cell(row.get(c)) for c in columns])
        wb.save(output)
    return len(rows)
