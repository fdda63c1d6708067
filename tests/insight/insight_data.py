"""Hand-made prepared answer tables for the insight tests."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pandas as pd

from scoring import encode_risk

LEVELS = ("ingen_lag", "nagot_forhojd", "hog", "mycket_hog")


def frame(rows, keys=None, panels=None) -> pd.DataFrame:
    """rows: dicts with participant_id, case_id, risk and optionally team, tertial, round, n_exposures …"""
    keys = keys or {}
    panels = panels or {}
    df = pd.DataFrame(rows)
    defaults = {"team": "Team A", "experience": "1–3 år", "language": "sv", "round": 1, "tertial": "2026 T1",
                "n_exposures": 0, "workshop_id": None,
                "submitted_at": datetime(2026, 2, 1, tzinfo=timezone.utc)}
    for col, value in defaults.items():
        if col not in df:
            df[col] = [value] * len(df)
        elif value is not None:
            df[col] = df[col].where(df[col].notna(), value)
    df["round"] = df["round"].astype(int)
    df["answer_id"] = np.arange(1, len(df) + 1)
    df["level"] = encode_risk(df["risk"].to_numpy())
    df["not_known"] = df["risk"] == "inte_kant"
    df["key_level"] = df["case_id"].map({c: float(LEVELS.index(k)) for c, k in keys.items()}).astype(float)
    df["panel_median"] = df["case_id"].map(panels).astype(float)
    return df


def ratings(case_id: str, levels: list[str], *, team: str = "Team A", start: int = 0, **extra) -> list[dict]:
    return [{"participant_id": start + i, "case_id": case_id, "risk": lv, "team": team, **extra}
            for i, lv in enumerate(levels)]
