"""Matching plain CSV files without any database: ``kundebase match FILE.csv …``.

DuckDB reads the file (any size, sniffed dialect, all columns as text); the
batch engine does the rest.  When no mapping is given, one is proposed from the
headers in Norwegian, Danish, Swedish, German, Hungarian and English.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from kundebase.ingest.mapping import header_key, header_words
from kundebase.matching import batch
from kundebase.matching.fields import quote

ROLES: dict[str, tuple[str, ...]] = {
    "given_name": ("given_name",), "family_name": ("family_name",), "full_name": ("full_name",),
    "birth_date": ("birth_date",), "street": ("street",), "house_number": ("house_number",),
    "postcode": ("postcode",), "city": ("city",), "phone": ("phone", "mobile"), "email": ("email",),
    "national_id": ("national_id",), "company_name": ("company",), "org_number": ("org_number",),
    "website": ("website",), "country": ("country",),
}
"""Matching role → the import fields whose header words name it (one table of header words:
:data:`kundebase.ingest.mapping.SYNONYMS`), in the order the roles pick their columns."""


def propose_mapping(headers: list[str]) -> dict[str, str]:
    """Role → column, from header names (exact known name first, then a known name inside the header)."""
    mapping: dict[str, str] = {}
    normalised = {h: header_key(h) for h in headers}
    known = {role: header_words(*fields) for role, fields in ROLES.items()}
    for role, names in known.items():
        for header, norm in normalised.items():
            if norm in names and header not in mapping.values():
                mapping[role] = header
                break
    for role, names in known.items():
        if role in mapping:
            continue
        for header, norm in normalised.items():
            if header not in mapping.values() and any(len(n) > 3 and n in norm for n in names):
                mapping[role] = header
                break
    if "given_name" in mapping or "family_name" in mapping:
        mapping.pop("full_name", None)
    return mapping


def load(con: duckdb.DuckDBPyConnection, path: Path, id_column: str, table: str) -> tuple[list[str], list[str]]:
    """Parse a CSV file into the DuckDB table ``table`` (every value as text); (ids, headers)."""
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    try:
        rel = con.read_csv(str(path), all_varchar=True, header=True)
        headers = list(rel.columns)
        if id_column not in headers:
            raise ValueError(f"{path} has no column {id_column!r}; it has {', '.join(headers)}")
        rel.create(table)
        ids = [row[0] for row in con.sql(f"SELECT coalesce({quote(id_column)}, '') FROM {table}").fetchall()]
    except duckdb.Error as exc:
        raise ValueError(f"{path} is not a readable CSV file: {exc}") from exc
    if not ids:
        raise ValueError(f"{path} holds a header but no rows to match")
    return ids, headers


def read(path: Path, id_column: str) -> tuple[list[str], dict[str, list[str]], list[str]]:
    """(ids, columns, headers) of a CSV file, every value as text and missing ones as ""."""
    con = duckdb.connect()
    ids, headers = load(con, path, id_column, "file_rows")
    columns = {h: [row[0] for row in con.sql(f"SELECT coalesce({quote(h)}, '') FROM file_rows").fetchall()]
               for h in headers}
    return ids, columns, headers


def kind_of(mapping: dict[str, str]) -> str:
    return "company" if "company_name" in mapping and "family_name" not in mapping else "person"


def match_files(path: Path, *, id_column: str, output: Path, mapping: dict[str, str] | None = None,
                link: Path | None = None, clusters: Path | None = None, threshold: float = batch.DEFAULT_THRESHOLD,
                weights: bool = False, progress: batch.Progress | None = None) -> dict[str, Any]:
    con = duckdb.connect()
    ids, headers = load(con, path, id_column, "file_rows")
    table, source = "file_rows", None
    if link is not None:
        ids2, headers2 = load(con, link, id_column, "link_rows")
        con.execute("CREATE TABLE both_rows AS SELECT * FROM (SELECT 0 AS kb_src, rowid AS kb_rn, * FROM file_rows "
                    "UNION ALL BY NAME SELECT 1 AS kb_src, rowid AS kb_rn, * FROM link_rows) ORDER BY kb_src, kb_rn")
        table, source = "both_rows", np.array([0] * len(ids) + [1] * len(ids2), dtype=np.int8)
        headers = list(dict.fromkeys([*headers, *headers2]))
        ids = ids + ids2
    mapping = mapping or propose_mapping([h for h in headers if h != id_column])
    unknown = [col for col in mapping.values() if col not in headers]
    if unknown:
        raise ValueError(f"the mapping names columns the file does not have: {', '.join(unknown)}")
    if not mapping:
        raise ValueError("no column could be mapped to a field; give --mapping")
    kind = kind_of(mapping)
    if table == "both_rows":
        con.execute("DROP TABLE file_rows; DROP TABLE link_rows")
    result = batch.run_table(kind, con, table, mapping, len(ids), source=source, progress=progress, release=True)
    con.close()
    keep = result.probability >= threshold
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        names = [c.name for c in result.comparisons]
        writer.writerow(["id_l", "id_r", "match_probability", *([f"w_{n}" for n in names] if weights else [])])
        kept = np.flatnonzero(keep)
        field_weights = result.field_weights(kept) if weights else None
        for n, i in enumerate(kept):
            extra = [f"{w:.2f}" for w in field_weights[n]] if field_weights is not None else []
            writer.writerow([ids[result.left[i]], ids[result.right[i]], f"{result.probability[i]:.6f}", *extra])
    n_clusters = 0
    if clusters is not None:
        cluster_of = batch.clusters(len(ids), result.left[keep], result.right[keep])
        clusters.parent.mkdir(parents=True, exist_ok=True)
        with clusters.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["cluster_id", "id"])
            for i in np.argsort(cluster_of, kind="stable"):
                writer.writerow([ids[cluster_of[i]], ids[i]])
        n_clusters = len(set(cluster_of.tolist()))
    return {"kind": kind, "mapping": mapping, "records": len(ids), "candidate_pairs": int(len(result.left)),
            "pairs": int(keep.sum()), "clusters": n_clusters, "params": result.params.as_json()}


def load_mapping(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a JSON mapping: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError(f"{path} must hold an object of field → column name")
    from kundebase.matching.fields import ROLES

    bad = [k for k in data if k not in ROLES and k != "country"]
    if bad:
        raise ValueError(f"unknown fields in the mapping: {', '.join(bad)}; known: {', '.join(ROLES)}")
    return data
