"""Import N person rows from a CSV file with validation and normalisation, against a raw bulk load.

``python -m benchmarks.import [--size N] [--small N] [--backends sqlite,postgresql]``

The rows are the demo generator's persons (Faker names of five countries, real places, phones spelled
as people type them, about 5 % second records of a person), written the way a Norwegian list arrives:
``;``-separated, Norwegian headers, ``dd.mm.yyyy`` birth dates.  In the same run, on a fresh database each:

* *raw*: the same file loaded into one plain table (``executemany`` on SQLite, ``COPY`` on PostgreSQL);
* *import*: ``kundebase``'s import of the file, as ``kundebase import`` runs it;
* *checks*: only the two library calls every row needs (phonenumbers, email-validator), nothing stored;
* *storage*: only the rows the import stored, every table it wrote, loaded with the raw load's own method
  (``executemany`` / ``COPY``) from files dumped beforehand, nothing computed;
* *into a full store*: a second file of the same size (the generator's other persons, another seed) imported
  from another source into the database the first import filled, so the store already holds about as many
  customers as the file has rows (``--no-full-store`` leaves it out).

*checks* and *storage* are ceilings: no import that validates with those libraries, or stores those rows,
can be faster.  Each measurement runs in a fresh child process, so peak RSS (``ru_maxrss``) is that of one
step alone; two file sizes show whether memory stays flat.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["Fornavn", "Etternavn", "Fødselsdato", "E-post", "Mobil", "Adresse", "Postnummer", "Poststed", "Land"]
STRETCH = 100_000
"""The first and the last this many rows of a large import are timed apart: does the import slow as the store
fills?"""
RAW_COLUMNS = "given text, family text, born text, email text, mobile text, street text, postcode text, " \
              "city text, country text"


def generate(path: Path, n: int, seed: int = 7) -> None:
    """The demo generator's persons (and its injected second records), as a Norwegian list is laid out."""
    from kundebase.demo import person_file

    plain = path.with_suffix(".plain.csv")
    person_file.write(n, plain, path.with_suffix(".truth.csv"), seed=seed)
    with plain.open(encoding="utf-8", newline="") as src, path.open("w", encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(src)
        out = csv.writer(fh, delimiter=";")
        out.writerow(HEADER)
        for row in rows:
            born = row["birth_date"]
            out.writerow([row["given_name"], row["family_name"],
                          f"{born[8:10]}.{born[5:7]}.{born[:4]}" if born else "", row["email"], row["phone"],
                          row["street"], row["postcode"], row["city"], row["country"]])
    plain.unlink()
    path.with_suffix(".truth.csv").unlink()


def child(mode: str, path: Path) -> dict[str, float]:
    """Runs inside the fresh process: migrate, then one measurement."""
    import resource

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kundebase.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
    extra: dict[str, float] = {}
    prepared = _dump(os.environ["KB_BENCH_FROM"], path.parent) if mode == "storage" else None
    start = time.perf_counter()
    if mode == "libraries":
        # Only the two calls the issue prescribes for every row (phonenumbers, email-validator), nothing stored:
        # no import that validates with them can be faster than this.
        from kundebase.core import identifiers

        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter=";")
            next(reader)
            for row in reader:
                for check, value in ((identifiers.email, row[3]), (identifiers.phone, row[4])):
                    if value:
                        try:
                            check(value)
                        except ValueError:
                            pass
    elif mode == "raw":
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE bench_raw ({RAW_COLUMNS})")
        if connection.vendor == "postgresql":
            raw = connection.connection  # psycopg 3
            with raw.cursor() as cur, path.open("rb") as fh:
                with cur.copy("COPY bench_raw FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)") as copy:
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        copy.write(block)
            raw.commit()
        else:
            from django.db import transaction

            insert = f"INSERT INTO bench_raw VALUES ({', '.join(['%s'] * len(HEADER))})"
            with path.open(encoding="utf-8", newline="") as fh, transaction.atomic(), connection.cursor() as cursor:
                reader = csv.reader(fh, delimiter=";")
                next(reader)
                batch = []
                for row in reader:
                    batch.append(row)
                    if len(batch) >= 10_000:
                        cursor.executemany(insert, batch)
                        batch = []
                if batch:
                    cursor.executemany(insert, batch)
    elif mode == "storage":
        assert prepared is not None
        stored, seconds_by_table = _load_dumps(prepared)
        extra["stored_rows"] = stored
        # The customer record itself (person, contact points, address), without provenance, matching keys or
        # the import's own bookkeeping: what even the leanest importer must write.
        extra["customer_seconds"] = sum(v for t, v in seconds_by_table.items() if t.startswith("parties_"))
    else:
        from kundebase.ingest import importer
        from kundebase.ingest.importer import progress as progress_dict
        from kundebase.parties.models import Person

        before = Person.objects.count()  # a full-store run imports into the customers of an earlier one
        source = importer.get_source(os.environ.get("KB_BENCH_SOURCE", "benchmark"), create=True)
        job, _created = importer.create_job(path=path, source=source, entity="persons", name=path.name)
        marks: list[tuple[int, float]] = [(0, time.perf_counter())]  # rows written so far, when

        def written(count: int) -> None:
            marks.append((marks[-1][0] + count, time.perf_counter()))

        job = importer.run_job(job.pk, progress=written)
        if rows >= 2 * STRETCH:
            # The first and the last 100,000 rows, each from the moment the rows before them were written (so
            # reading, checking and linking their window is in their time, as in the whole import's).
            first = next(t for n, t in marks if n >= STRETCH) - marks[0][1]
            last = marks[-1][1] - max(t for n, t in marks if n <= rows - STRETCH)
            extra["first_rows_per_s"], extra["last_rows_per_s"] = STRETCH / first, STRETCH / last
        # Second records of a person become updates or are held as possible duplicates, as they should; every
        # row must be accounted for, and every person stored must be one the import counted as created.
        counted = sum(getattr(job, field) for field in importer.COUNTER.values())
        if job.rows_done != rows or counted != rows or Person.objects.count() - before != job.created_count:
            raise SystemExit(f"import of {rows} rows: {progress_dict(job)}")
        extra.update({k: getattr(job, f) for k, f in importer.COUNTER.items()}, store_before=before)
    seconds = time.perf_counter() - start
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra}


def _stored_tables(source: object) -> list[tuple[str, list[str]]]:
    """``(table, columns)`` of every table the import filled (empty in a freshly migrated database), parents
    before children so that foreign keys hold while loading."""
    from django.apps import apps
    from django.db import connection

    def count(cursor: object, table: str) -> int:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # type: ignore[attr-defined]
        return int(cursor.fetchone()[0])  # type: ignore[attr-defined]

    models = {m._meta.db_table: m for m in apps.get_models() if not m._meta.proxy and m._meta.managed}
    with connection.cursor() as cursor:
        theirs = source.cursor()  # type: ignore[attr-defined]
        filled = [t for t in models if count(theirs, t) and not count(cursor, t)]
    order: list[str] = []

    def visit(table: str) -> None:
        if table in order:
            return
        for f in models[table]._meta.local_concrete_fields:
            parent = f.related_model._meta.db_table if f.is_relation and f.related_model else None
            if parent in filled and parent != table:
                visit(parent)
        order.append(table)

    for table in filled:
        visit(table)
    return [(t, [f.column for f in models[t]._meta.local_concrete_fields]) for t in order]


def _source_connection(url: str) -> object:
    from urllib.parse import parse_qs, urlparse

    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        import sqlite3

        return sqlite3.connect(parsed.path)
    import psycopg

    query = parse_qs(parsed.query)
    return psycopg.connect(dbname=parsed.path.lstrip("/"), user=parsed.username, host=query["host"][0],
                           port=query["port"][0])


def _dump(url: str, folder: Path) -> list[tuple[str, list[str], Path]]:
    """Every table the import filled, written to a file in the form the raw method reads fastest (not timed)."""
    import pickle

    from django.db import connection

    source = _source_connection(url)
    out = []
    for table, columns in _stored_tables(source):
        file = folder / f"dump-{table}"
        select = f"SELECT {', '.join(f'{c!r}'.replace(chr(39), chr(34)) for c in columns)} FROM \"{table}\""
        with file.open("wb") as fh:
            if connection.vendor == "postgresql":
                with source.cursor().copy(f"COPY ({select}) TO STDOUT") as copy:  # type: ignore[attr-defined]
                    for block in copy:
                        fh.write(block)
            else:
                cursor = source.cursor()  # type: ignore[attr-defined]
                cursor.execute(select)
                while batch := cursor.fetchmany(10_000):
                    pickle.dump(batch, fh, protocol=pickle.HIGHEST_PROTOCOL)
        out.append((table, columns, file))
    source.close()  # type: ignore[attr-defined]
    return out


def _load_dumps(dumps: list[tuple[str, list[str], Path]]) -> tuple[int, dict[str, float]]:
    """Load the dumped rows with the raw load's method (``COPY`` on PostgreSQL, ``executemany`` on SQLite);
    ``(rows stored, seconds per table)``."""
    import pickle

    from django.db import connection, transaction

    stored = 0
    seconds: dict[str, float] = {}
    if connection.vendor == "postgresql":
        raw = connection.connection
        with raw.cursor() as cur:
            for table, columns, file in dumps:
                began = time.perf_counter()
                names = ", ".join(f'"{c}"' for c in columns)
                with file.open("rb") as fh, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for block in iter(lambda fh=fh: fh.read(1 << 20), b""):  # type: ignore[misc]
                        copy.write(block)
                        stored += block.count(b"\n")
                seconds[table] = time.perf_counter() - began
        raw.commit()
        return stored, seconds
    with transaction.atomic(), connection.cursor() as cursor:
        for table, columns, file in dumps:
            began = time.perf_counter()
            insert = (f'INSERT INTO "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '
                      f"VALUES ({', '.join(['%s'] * len(columns))})")
            with file.open("rb") as fh:
                while True:
                    try:
                        batch = pickle.load(fh)
                    except EOFError:
                        break
                    cursor.executemany(insert, batch)
                    stored += len(batch)
            seconds[table] = time.perf_counter() - began
    return stored, seconds


def measure(mode: str, url: str, path: Path, work: Path, **env_extra: str) -> dict[str, float]:
    data_dir = Path(tempfile.mkdtemp(dir=work))
    env = dict(os.environ, KUNDEBASE_DATABASE_URL=url, KUNDEBASE_DATA_DIR=str(data_dir), KUNDEBASE_ENV="test",
               **env_extra)
    out = subprocess.run([sys.executable, "-m", "benchmarks.import", "--child", mode, str(path)], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{mode} on {url} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def fresh_db(backend: str, cluster: object, work: Path, tag: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{work / (tag + '.sqlite3')}"
    import psycopg

    folder = cluster.folder  # type: ignore[attr-defined]
    with psycopg.connect(dbname="postgres", host=str(folder), port=cluster.port, user="postgres",  # type: ignore
                         autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{tag}"')
    return f"postgresql://postgres@/{tag}?host={folder}&port={cluster.port}"  # type: ignore[attr-defined]


def _line(backend: str, size: int, raw: dict[str, float], imp: dict[str, float], store: dict[str, float],
          libs: dict[str, float]) -> str:
    """One row of the table: an import and, beside it, the ceilings measured for the same file."""
    stretch = "—"
    if "last_rows_per_s" in imp:
        stretch = (f"{imp['last_rows_per_s'] / imp['first_rows_per_s']:.0%} ({imp['last_rows_per_s']:,.0f} vs "
                   f"{imp['first_rows_per_s']:,.0f} rows/s)")
    outcomes = " / ".join(f"{imp[k]:,.0f}" for k in ("created", "updated", "unchanged", "review", "error"))
    return (f"| {backend} | {size:,} | {imp['store_before']:,.0f} | {raw['rows_per_s']:,.0f} | "
            f"{imp['rows_per_s']:,.0f} | **{imp['rows_per_s'] / raw['rows_per_s']:.2%}** | {libs['rows_per_s']:,.0f} | "
            f"{libs['rows_per_s'] / raw['rows_per_s']:.1%} | {store['rows_per_s']:,.0f} | "
            f"{store['rows_per_s'] / raw['rows_per_s']:.1%} | "
            f"{size / store['customer_seconds'] / raw['rows_per_s']:.1%} | {store['stored_rows'] / size:.1f} | "
            f"{outcomes} | {imp['peak_rss_mb']:.0f} | {raw['peak_rss_mb']:.0f} | {stretch} |")


def settings_rows() -> int:
    """The file size from which the import checks the whole file at once (the setting's value)."""
    from django.conf import settings

    return int(settings.KUNDEBASE_IMPORT_FILE_CHECK_ROWS)


def main(argv: list[str] | None = None) -> int:
    import shutil
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally: stop the PostgreSQL cluster
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1_000_000, help="rows in the larger file")
    parser.add_argument("--small", type=int, default=0, help="rows in the smaller file (default size/10)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--no-full-store", action="store_true",
                        help="leave out the second import, into the store the first one filled")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        return 0
    sizes = [args.small or max(1, args.size // 10), args.size]
    work = Path(tempfile.mkdtemp(prefix="kb-bench-import-"))
    cluster = None
    backends = args.backends.split(",")
    if "postgresql" in backends:
        sys.path.insert(0, str(ROOT))
        from tests import pgcluster

        cluster = pgcluster.start()
    lines = ["| backend | rows | customers stored before | raw load rows/s | import rows/s | **ratio** | "
             "checks alone rows/s | their ratio (ceiling) | storage alone rows/s | its ratio (ceiling) | customer "
             "tables alone: ratio | rows stored per row | outcomes (new / updated / unchanged / possible duplicate "
             "/ error) | import peak RSS MB | raw peak RSS MB | last 100,000 rows vs first |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"]
    stretches: list[float] = []
    ratios: list[float] = []
    storage_ratios: list[float] = []
    customer_ratios: list[float] = []
    per_row_us: list[float] = []
    peaks: list[float] = []
    of_storage: list[float] = []
    full_store: list[tuple[float, float]] = []  # (rows/s into the full store, rows/s into the empty one)
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    try:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kundebase.settings")
        django.setup()
        for size in sizes:
            path = work / f"persons-{size}.csv"
            generate(path, size)
            for backend in backends:
                raw = measure("raw", fresh_db(backend, cluster, work, f"raw{size}"), path, work)
                imported = fresh_db(backend, cluster, work, f"imp{size}")
                imp = measure("import", imported, path, work)
                store = measure("storage", fresh_db(backend, cluster, work, f"sto{size}"), path, work,
                                KB_BENCH_FROM=imported)
                libs = measure("libraries", fresh_db(backend, cluster, work, f"lib{size}"), path, work)
                for stale in work.glob("dump-*"):
                    stale.unlink()
                runs = [imp]
                if not args.no_full_store:
                    second = work / f"persons-{size}-second.csv"
                    generate(second, size, seed=8)
                    runs.append(measure("import", imported, second, work, KB_BENCH_SOURCE="second list"))
                    second.unlink()
                    full_store.append((runs[-1]["rows_per_s"], imp["rows_per_s"]))
                for run in runs:
                    lines.append(_line(backend, size, raw, run, store, libs))
                    print(lines[-1], flush=True)
                    ratios.append(run["rows_per_s"] / raw["rows_per_s"])
                    per_row_us.append(1e6 / run["rows_per_s"])
                    peaks.append(run["peak_rss_mb"])
                    of_storage.append(run["rows_per_s"] / store["rows_per_s"])
                    if "last_rows_per_s" in run:
                        stretches.append(run["last_rows_per_s"] / run["first_rows_per_s"])
                storage_ratios.append(store["rows_per_s"] / raw["rows_per_s"])
                customer_ratios.append(size / store["customer_seconds"] / raw["rows_per_s"])
            path.unlink()
    finally:
        if cluster is not None:
            cluster.stop()  # type: ignore[attr-defined]
        shutil.rmtree(work, ignore_errors=True)
    body = "\n".join(lines)
    from kundebase.demo.person_file import DUPLICATE_SHARE_OF_PERSONS
    from kundebase.ingest.filecheck import WINDOW_ROWS

    verdict = "met" if min(ratios) >= 0.25 else "not met"
    note = (f"\n\nFiles of {sizes[0]:,} and {sizes[1]:,} person rows from the demo generator (five countries' "
            f"names, real places, phones as people type them, {DUPLICATE_SHARE_OF_PERSONS:.1%} second "
            "records of a person), laid out as a "
            "Norwegian list: `;`, Norwegian headers, `dd.mm.yyyy` dates, country codes. The import validates every "
            "value with the shared validation, normalises e-mails and phones, finds existing customers per chunk, "
            f"checks every new person for likely duplicates (files of {settings_rows():,} rows or more: the whole "
            "file at once, linked to the store and to itself before writing; smaller files chunk by chunk), "
            "records provenance (an "
            "observation per value), the matching service's blocking keys and queue, one outcome row per file row "
            "(what makes a re-run idempotent and a killed run resumable) and one audit entry per person (the "
            "chain locked once per chunk).\n\n"
            f"Target: ≥ 25 % of the raw load — **{verdict}** (import {min(ratios):.1%}–{max(ratios):.1%}, "
            f"{min(per_row_us):,.0f}–{max(per_row_us):,.0f} µs per row). The two ceilings are measured in the same "
            "run on the same file: *checks alone* times only phonenumbers and email-validator on each row's "
            "phone and e-mail, storing nothing; *storage alone* loads exactly the rows the import stored — every "
            "table it wrote, with their indexes — by the raw load's own method (`executemany` / `COPY`) from files "
            "dumped beforehand, computing nothing. No import that validates with those libraries, or that keeps "
            f"those rows, can pass either ceiling; storage alone reached {min(storage_ratios):.1%}–"
            f"{max(storage_ratios):.1%} of the raw load, which writes one unindexed row per file row. Even the "
            "customer tables alone (person, contact points, address: what the leanest importer must write, "
            "without provenance, matching keys or the bookkeeping that makes an import resumable) reached "
            f"{min(customer_ratios):.1%}–{max(customer_ratios):.1%}: the target cannot be met by storing a "
            "customer in indexed tables, whatever the import computes. Against the issue's restated target, the "
            f"import reached {min(of_storage):.0%}–{max(of_storage):.0%} of the *storage alone* ceiling measured "
            f"in the same run (target ≥ 40 % — **{'met' if min(of_storage) >= 0.4 else 'not met'}**).\n\n"
            f"Load average {load_before:.1f} before the run and {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} "
            f"cores; the whole run took {(time.perf_counter() - started) / 60:.0f} minutes. Memory: the importer "
            "writes one chunk at a time; the whole-file check reads, links and writes a window of "
            f"{WINDOW_ROWS:,} rows at a time, keeping the window's validated rows in a spill file and only their "
            "matching features, keys and hits in memory; while linking it also holds the stored customers that "
            "share a key with the window's rows, and that set grows with the store (compare the two sizes' peak "
            "RSS; target < 2 GB — "
            f"**{'met' if max(peaks) < 2048 else 'not met'}**, at most {max(peaks):,.0f} MB); the matching "
            "normalisers remember the values they have seen (bounded caches); on SQLite the database's own page "
            "cache and memory map (`cache_size`, `mmap_size` in the connection settings) add a bounded amount.")
    if stretches:
        note += (f"\n\nThe last {STRETCH:,} rows of the larger file were written at {min(stretches):.0%}–"
                 f"{max(stretches):.0%} of the speed of its first {STRETCH:,} (target ≥ 80 % — "
                 f"**{'met' if min(stretches) >= 0.8 else 'not met'}**), each timed from the moment the rows "
                 "before them were written, so their reading, checking and linking are in it.")
    if full_store:
        note += ("\n\n*Customers stored before* above zero: a second file of the same size (the generator's "
                 "persons of another seed, so some share an e-mail or phone with a stored customer by chance) "
                 "imported from another source into the store the first import filled. Its ceilings are those "
                 "measured for the same file size into an empty database, in the same run. Into the full store "
                 "the import ran at " + ", ".join(f"{full / empty:.0%}" for full, empty in full_store) +
                 " of its speed into the empty one; target: a 1,000,000-row file into a 1,000,000-customer store "
                 "in under 10 minutes (≥ 1,700 rows/s) — **" +
                 ("met" if args.size >= 1_000_000 and min(f for f, _e in full_store[-len(backends):]) >= 1700
                  else "not met") + "**.")
    else:
        note += "\n\nRun without the import into a full store (`--no-full-store`)."
    if args.size < 1_000_000:
        note += (f"\n\nRun at {args.size:,} rows, not the {1_000_000:,} named in the issue: the import slows as "
                 "the store grows (each new person is scored against the customers sharing any of its blocking "
                 "keys, and those blocks fill up towards their cap), so a full run takes hours per backend.")
    print(note)
    if not args.no_record:
        from benchmarks.results import record

        record("import", "File import vs raw bulk load", body + note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
