"""Exporting orders (guide/export.py): Order JSON v1 back as it was imported, and a spreadsheet-safe CSV."""

from __future__ import annotations

import csv
import io
import json

from guide.export import CSV_COLUMNS, export_csv, export_json
from guide.models import Order
from tests.guide.factories import item, make_order, seller


def test_the_json_export_reads_back_as_the_same_orders():
    orders = [make_order("awaiting_payment", id="900000001"), make_order("awaiting_shipment", id="900000002")]
    assert [Order.model_validate(row) for row in json.loads(export_json(orders))] == orders


def test_the_csv_has_one_row_an_order_and_runs_no_formula_in_a_spreadsheet():
    risky = make_order(
        "awaiting_payment", seller=seller(name='=HYPERLINK("http://x.test","win")'), items=[item(title="+SUM(A1:A9)")]
    )
    rows = list(csv.DictReader(io.StringIO(export_csv([risky, make_order(id="900000009")]))))
    assert list(rows[0]) == CSV_COLUMNS and len(rows) == 2
    assert rows[0]["seller"] == "'" + risky.seller.name  # shown as typed, never run
    assert rows[0]["items"] == f"{risky.items[0].quantity} x {risky.items[0].title}"  # a digit first: left as is
    assert rows[1]["seller"] == make_order().seller.name
