"""Gherkin tables <-> Python and pandas structures."""

from __future__ import annotations

from typing import Any

import pandas as pd


def detail_table(table: Any) -> dict[str, str]:
    """A two-column ``| detail | value |`` table as ``{detail: value}``."""
    return {row[0].strip(): row[1].strip() for row in table}


def table_to_frame(table: Any) -> pd.DataFrame:
    return pd.DataFrame([list(row.cells) for row in table], columns=list(table.headings))
