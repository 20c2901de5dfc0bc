"""Kundebase's matcher against Splink (DuckDB) on the same data in the same run.

``python -m benchmarks.matching [--sizes 100000 1000000] [--entry-size 1000000] [--skip-splink-above N]``

Each engine runs in its own child process, so the peak memory (max RSS of the
child) and the time are its own: read the file, train without labels, score,
cluster at the default threshold 0.5.  Precision, recall and F1 are pairwise
against the true links.  Splink is configured as its own examples configure the
same kind of data (see ``_splink_settings``), and both engines' trained
parameters are printed beside the figures, so a mis-trained model shows.  Each
engine runs once per data set.  The entry check is timed against a database of
the size given.
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
from typing import Any

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"
THRESHOLD = 0.5

FEBRL_MAPPING = {"given_name": "given_name", "family_name": "surname", "birth_date": "date_of_birth",
                 "street": "address_1", "house_number": "street_number", "postcode": "postcode", "city": "suburb",
                 "national_id": "soc_sec_id"}
MULTI_MAPPING = {"given_name": "given_name", "family_name": "family_name", "birth_date": "birth_date",
                 "street": "street", "postcode": "postcode", "city": "city", "phone": "phone", "email": "email",
                 "country": "country"}


# --- engines (run in a child process) -----------------------------------------------------------------------

def run_kundebase(spec: dict[str, Any], out: Path) -> None:
    from kundebase.matching.filematch import match_files

    summary = match_files(Path(spec["files"][0]), id_column=spec["id"], output=out, mapping=spec["mapping"],
                          link=Path(spec["files"][1]) if len(spec["files"]) > 1 else None,
                          clusters=out.with_suffix(".cl"), threshold=THRESHOLD)
    out.with_suffix(".params.json").write_text(json.dumps(summary["params"]))


def _splink_settings(spec: dict[str, Any]) -> Any:
    """Each data set's settings as Splink's own example for that kind of data writes them.

    FEBRL4 (link): ``docs/demos/examples/duckdb/febrl4.nb.py``, the detailed model.  FEBRL1 (dedupe):
    ``febrl3.nb.py``, Splink's FEBRL dedupe example.  Demo persons: the comparisons of the tutorial
    (``04_Estimating_model_parameters``: ``NameComparison`` per name, the full e-mail address, the city
    with term frequencies) and of ``deduplicate_50k_synthetic`` (``DateOfBirthComparison``), with term
    frequencies on both names and on the full e-mail address, and the FEBRL4 example's blocking rules on
    our columns.  The e-mail is compared as one exact value, as in Splink's trained example model
    (``demo_settings/real_time_settings.json``): ``EmailComparison``'s user-name levels would count the
    names a second time.
    """
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    if spec["dataset"] == "multilingual":
        return SettingsCreator(
            unique_id_column_name="id", link_type="dedupe_only",
            blocking_rules_to_generate_predictions=[
                block_on("given_name", "family_name"), "l.given_name = r.family_name and l.family_name = r.given_name",
                block_on("family_name", "birth_date"), block_on("given_name", "birth_date"), block_on("phone"),
                block_on("email"), block_on("postcode", "street"),
            ],
            comparisons=[
                cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
                cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
                cl.DateOfBirthComparison("birth_date", input_is_string=True, datetime_format="%Y-%m-%d",
                                         invalid_dates_as_null=True),
                cl.JaroWinklerAtThresholds("street", [0.9, 0.8]),
                cl.DamerauLevenshteinAtThresholds("postcode", [1]),
                cl.ExactMatch("city").configure(term_frequency_adjustments=True),
                cl.ExactMatch("phone"),
                cl.ExactMatch("email").configure(term_frequency_adjustments=True),
            ],
            retain_intermediate_calculation_columns=False,
        )
    if len(spec["files"]) == 1:  # febrl3.nb.py
        return SettingsCreator(
            unique_id_column_name="rec_id", link_type="dedupe_only",
            blocking_rules_to_generate_predictions=[
                block_on("soc_sec_id"), block_on("given_name"), block_on("surname"), block_on("date_of_birth"),
                block_on("postcode"),
            ],
            comparisons=[
                cl.NameComparison("given_name"),
                cl.NameComparison("surname"),
                cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
                cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
                cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
                cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
            ],
            retain_intermediate_calculation_columns=False,
        )
    return SettingsCreator(  # febrl4.nb.py, the detailed model
        unique_id_column_name="rec_id", link_type="link_only",
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"), "l.given_name = r.surname and l.surname = r.given_name",
            block_on("date_of_birth"), block_on("soc_sec_id"), block_on("state", "address_1"),
            block_on("street_number", "address_1"), block_on("postcode"),
        ],
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                                     invalid_dates_as_null=True),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=False,
    )


def _splink_training(linker: Any, spec: dict[str, Any]) -> None:
    """Training as the same examples do it: the prior from deterministic rules, u by random sampling, then
    expectation maximisation in two sessions, each blocked on columns the other one estimates."""
    from splink import block_on

    training = linker.training
    if spec["dataset"] == "multilingual":
        # deduplicate_50k_synthetic: its deterministic rules and recall for the prior, max_pairs 1e7, sessions
        # blocked on first name + surname and on date of birth, without term frequencies
        training.estimate_probability_two_random_records_match(
            [block_on("given_name", "family_name", "birth_date"),
             block_on("substr(given_name,1,2)", "family_name", "substr(postcode,1,2)"),
             block_on("birth_date", "postcode")],
            recall=0.6)
        training.estimate_u_using_random_sampling(max_pairs=1e7, seed=2)
        for rule in (block_on("given_name", "family_name"), block_on("birth_date")):
            training.estimate_parameters_using_expectation_maximisation(rule, estimate_without_term_frequencies=True)
    elif len(spec["files"]) == 1:  # febrl3.nb.py
        training.estimate_probability_two_random_records_match(
            [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth"),
             "l.given_name = r.surname and l.surname = r.given_name and l.date_of_birth = r.date_of_birth"],
            recall=0.9)
        training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
        for rule in (block_on("date_of_birth"), block_on("postcode")):
            training.estimate_parameters_using_expectation_maximisation(rule)
    else:  # febrl4.nb.py
        training.estimate_probability_two_random_records_match(
            [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8)
        training.estimate_u_using_random_sampling(max_pairs=1e7, seed=2)
        for rule in ("l.date_of_birth = r.date_of_birth", "l.postcode = r.postcode"):
            training.estimate_parameters_using_expectation_maximisation(rule, estimate_without_term_frequencies=True)


def run_splink(spec: dict[str, Any], out: Path) -> None:
    import duckdb
    from splink import DuckDBAPI, Linker

    con = duckdb.connect()
    tables = []
    for path in spec["files"]:
        rel = con.read_csv(path, all_varchar=True, header=True)
        # lower case and trimmed as in Splink's examples; phones as their last eight digits, so that
        # "+47 412 34 567" and "41234567" agree (the kind of cleaning a Splink user does before matching)
        cols = ", ".join(f"nullif(right(regexp_replace({c}, '[^0-9]', '', 'g'), 8), '') AS {c}" if c == "phone" else
                         f"nullif(lower(trim({c})), '') AS {c}" for c in rel.columns)
        tables.append(con.sql(f"SELECT {cols} FROM rel").arrow().read_all())
    db_api = DuckDBAPI(connection=con)
    linker = Linker([db_api.register(t) for t in tables], _splink_settings(spec))
    _splink_training(linker, spec)
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLD)
    linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold_match_probability=THRESHOLD)
    uid = "id" if spec["dataset"] == "multilingual" else "rec_id"
    rows = predictions.as_duckdbpyrelation().select(f"{uid}_l, {uid}_r, match_probability").fetchall()
    with out.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id_l", "id_r", "match_probability"])
        writer.writerows(rows)
    out.with_suffix(".params.json").write_text(json.dumps(linker.misc.save_model_to_json()))


def child(engine: str, spec_path: str, out: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    if engine == "kundebase":
        # the engine as a library, like Splink here: no Django start-up (the CLI adds about 20 MB and 1 s)
        run_kundebase(spec, Path(out))
    else:
        import logging

        logging.getLogger("splink").setLevel(logging.WARNING)
        run_splink(spec, Path(out))


# --- the parent: data, timing, scoring ----------------------------------------------------------------------

def measure(engine: str, spec: dict[str, Any], work: Path) -> dict[str, Any]:
    spec_path = work / f"{spec['name']}.json"
    spec_path.write_text(json.dumps(spec))
    out = work / f"{spec['name']}-{engine}.csv"
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.matching", "--child", engine, str(spec_path),
                             str(out)], cwd=ROOT.parent, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if status != 0:
        raise RuntimeError(f"{engine} failed on {spec['name']}:\n{err[-3000:]}")
    truth = {tuple(sorted(r)) for r in csv.reader(Path(spec["truth"]).open()) if r and r[0] != "id_l"}
    found = {tuple(sorted((r["id_l"], r["id_r"]))) for r in csv.DictReader(out.open())}
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "seconds": seconds,
            "peak_mb": usage.ru_maxrss / 1024, "pairs": len(found)}


def _row(name: str, k: dict[str, Any], s: dict[str, Any] | None) -> str:
    def cells(r: dict[str, Any]) -> str:
        return f"{r['precision']:.4f} | {r['recall']:.4f} | {r['f1']:.4f} | {r['seconds']:.1f} | {r['peak_mb']:.0f}"
    if s is None:
        return f"| {name} | {cells(k)} | – | – | – | – | – | – | – | – |"
    return (f"| {name} | {cells(k)} | {cells(s)} | {k['f1'] - s['f1']:+.4f} | {k['seconds'] / s['seconds']:.2f} | "
            f"{k['peak_mb'] / s['peak_mb']:.2f} |")


def _data_table(specs: list[dict[str, Any]]) -> str:
    """Rows, true pairs and the pairs of rows sharing one e-mail address, per demo file (computed here)."""
    from benchmarks.demo_mailboxes import shared_mailbox_pairs

    lines = ["| data | rows | second records | true pairs | pairs of different people with one identical e-mail "
             "| pairs of one person with one identical e-mail |", "|---|---:|---:|---:|---:|---:|"]
    for spec in specs:
        if spec["dataset"] != "multilingual":
            continue
        data, truth = Path(spec["files"][0]), Path(spec["truth"])
        with data.open(encoding="utf-8") as fh:
            rows = sum(1 for _ in fh) - 1
        with truth.open(encoding="utf-8") as fh:
            links = list(csv.DictReader(fh))
        second = len({link["id_r"] for link in links})
        shared = shared_mailbox_pairs(data, truth)
        lines.append(f"| {spec['label']} | {rows:,} | {second:,} ({second / rows:.1%}) | {len(links):,} | "
                     f"{shared['different_people']:,} | {shared['same_person']:,} |")
    return "\n".join(lines)


def _params_section(spec: dict[str, Any], work: Path, engines: list[str]) -> str:
    from benchmarks.matching_params import kundebase_table, splink_table

    parts = [f"#### {spec['label']}"]
    for engine in engines:
        params = json.loads((work / f"{spec['name']}-{engine}.params.json").read_text())
        title = "Kundebase" if engine == "kundebase" else "Splink"
        parts += [f"{title}:", kundebase_table(params) if engine == "kundebase" else splink_table(params)]
    return "\n\n".join(parts)


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--child":
        child(argv[1], argv[2], argv[3])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--entry-size", type=int, default=1_000_000, help="0: leave the entry check out")
    parser.add_argument("--skip-splink-above", type=int, default=10**9)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kb-bench-matching")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    from kundebase.demo import pools
    from kundebase.demo.mailboxes import SHARED_MAILBOX_SHARE
    from kundebase.demo.person_file import DUPLICATE_SHARE_OF_PERSONS, write
    from kundebase.demo.places import COUNTRIES

    specs = [
        {"name": "febrl4", "dataset": "febrl", "files": [str(DATA / "febrl4a.csv"), str(DATA / "febrl4b.csv")],
         "id": "rec_id", "mapping": FEBRL_MAPPING, "truth": str(DATA / "febrl4_links.csv"),
         "label": "FEBRL4 link (5,000 + 5,000)"},
        {"name": "febrl1", "dataset": "febrl", "files": [str(DATA / "febrl1.csv")], "id": "rec_id",
         "mapping": FEBRL_MAPPING, "truth": str(DATA / "febrl1_links.csv"), "label": "FEBRL1 dedupe (1,000)"},
    ]
    for size in args.sizes:
        data, truth = args.work / f"demo_{size}.csv", args.work / f"demo_truth_{size}.csv"
        write(size, data, truth)  # always from the generator as it stands, never a file left by an older one
        specs.append({"name": f"multi{size}", "dataset": "multilingual", "files": [str(data)], "id": "id",
                      "mapping": MULTI_MAPPING, "truth": str(truth),
                      "label": f"Demo persons dedupe ({size:,})"})
    lines = ["| data | K precision | K recall | K F1 | K s | K MB | S precision | S recall | S F1 | S s | S MB | "
             "ΔF1 | time ratio | memory ratio |", "|" + "---|" * 14]
    params = []
    for spec in specs:
        print(f"== {spec['label']}", flush=True)
        k = measure("kundebase", spec, args.work)
        print("kundebase", k, flush=True)
        s = None
        size = int(spec["name"].removeprefix("multi")) if spec["name"].startswith("multi") else 0
        if size <= args.skip_splink_above:
            s = measure("splink", spec, args.work)
            print("splink", s, flush=True)
        lines.append(_row(spec["label"], k, s))
        params.append(_params_section(spec, args.work, ["kundebase"] + (["splink"] if s else [])))
        print(params[-1], flush=True)
    table = "\n".join(lines)
    names = min(len(p.female) for p in pools.build(42).values())
    places = min(len(c.places) for c in COUNTRIES)
    notes = [
        "K = Kundebase, S = Splink 5 (DuckDB). Pairwise precision/recall/F1 at match probability "
        f"{THRESHOLD}; time is end to end in a fresh process (read, train without labels, score, cluster); "
        "memory is the child's peak RSS. Ratios are Kundebase / Splink (below 1 = Kundebase faster or smaller). "
        "Each engine runs once per data set, one after the other on the same machine.",
        "Splink is configured as its own examples configure it: FEBRL4 as `febrl4.nb.py` (the detailed model), "
        "FEBRL1 as `febrl3.nb.py` (its FEBRL dedupe example), the demo persons with the tutorial's and "
        "`deduplicate_50k_synthetic.nb.py`'s comparisons and training: term frequencies on both names, the city "
        "and the full e-mail address (compared as one value, so no level counts the names again), the prior "
        "from that example's deterministic rules, u by random sampling, and expectation maximisation in two "
        "sessions, blocked on first name + surname and on birth date. "
        "Values are lower-cased and trimmed as in the examples, "
        "phones compared on their last eight digits. Both models' trained parameters follow the table.",
        f"Demo persons: the persons and injected duplicates `kundebase demo` makes ({len(COUNTRIES)} countries, "
        f"at least {names:,} Faker names per list and country, {places} places per country), written as a file "
        f"by `kundebase.demo.person_file` with the true pairs; second records are drawn at "
        f"{DUPLICATE_SHARE_OF_PERSONS:.1%} of rows. Every address is one mailbox, except that "
        f"{SHARED_MAILBOX_SHARE:.0%} of persons give the mailbox of a partner at the same home "
        "(`kundebase.demo.mailboxes`).",
    ]
    entry = ""
    if args.entry_size:
        from benchmarks.matching_entry import entry_benchmark

        entry = entry_benchmark(args.entry_size, args.work)
        print(entry, flush=True)
    body = (table + "\n\n" + "\n".join(f"- {n}" for n in notes) + "\n\n### The demo files\n\n" +
            _data_table(specs) + "\n\n### Trained parameters\n\n" + "\n\n".join(params) +
            ("\n\n" + entry if entry else ""))
    print(body)
    from benchmarks.results import record

    record("matching", "Matching: Kundebase vs Splink", body)


if __name__ == "__main__":
    main(sys.argv[1:])
