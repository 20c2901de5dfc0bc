"""The demo generator's persons as a file: the rows and the truth a matcher is measured against."""

from __future__ import annotations

import csv
from pathlib import Path

from kundebase.demo.person_file import HEADER, write
from kundebase.matching.normalise.names import key


def test_the_file_holds_persons_and_the_truth_names_their_duplicates(tmp_path: Path) -> None:
    data, truth = tmp_path / "persons.csv", tmp_path / "truth.csv"
    rows, pairs = write(4000, data, truth, seed=7)
    people = list(csv.DictReader(data.open(encoding="utf-8")))
    links = list(csv.DictReader(truth.open(encoding="utf-8")))
    assert rows == len(people) == 4000 and pairs == len(links) > 0
    assert tuple(people[0]) == HEADER
    by_id = {p["id"]: p for p in people}
    assert len(by_id) == 4000
    assert {p["country"] for p in people} == {"NO", "DK", "HU", "DE", "GB"}
    duplicates = {link["id_r"] for link in links}
    assert 0.03 < len(duplicates) / rows < 0.09  # about 5.6 % of persons are second records
    similar = 0
    for link in links:
        a, b = by_id[link["id_l"]], by_id[link["id_r"]]
        assert a != b and int(a["id"]) < int(b["id"])
        # one to three changes: most second records still share a name or the birth date
        names = {key(a["given_name"]), key(a["family_name"])} & {key(b["given_name"]), key(b["family_name"])}
        similar += bool(names or (a["birth_date"] and a["birth_date"] == b["birth_date"]))
    assert similar / len(links) > 0.9


def test_the_same_seed_writes_the_same_file(tmp_path: Path) -> None:
    write(500, tmp_path / "a.csv", tmp_path / "a_truth.csv", seed=3)
    write(500, tmp_path / "b.csv", tmp_path / "b_truth.csv", seed=3)
    write(500, tmp_path / "c.csv", tmp_path / "c_truth.csv", seed=4)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a_truth.csv").read_bytes() == (tmp_path / "b_truth.csv").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "c.csv").read_bytes()


def test_different_people_share_a_mailbox_only_as_a_household(tmp_path: Path) -> None:
    """A provider gives an address to one person: two strangers with one name get two mailboxes, and only
    a partner at the same home gives the same one (Gmail ignores dots, so those count as one mailbox)."""
    from kundebase.demo.mailboxes import mailbox_key

    data, truth = tmp_path / "persons.csv", tmp_path / "truth.csv"
    write(30_000, data, truth, seed=11)
    people = list(csv.DictReader(data.open(encoding="utf-8")))
    person = {p["id"]: p["id"] for p in people}
    for link in csv.DictReader(truth.open(encoding="utf-8")):
        person[link["id_r"]] = person[link["id_l"]]
    by_mailbox: dict[str, dict[str, set[tuple[str, str]]]] = {}
    for p in people:
        if p["email"]:
            homes = by_mailbox.setdefault(mailbox_key(p["email"]), {}).setdefault(person[p["id"]], set())
            homes.add((p["street"], p["postcode"]))
    shared = {box: owners for box, owners in by_mailbox.items() if len(owners) > 1}
    assert shared, "some households share a mailbox"
    for box, owners in shared.items():
        homes = list(owners.values())
        assert any(homes[i] & homes[j] for i in range(len(homes)) for j in range(i + 1, len(homes))), box
    assert len(shared) < 0.02 * len(people)
