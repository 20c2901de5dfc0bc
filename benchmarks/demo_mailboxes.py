"""How many pairs of different people in a demo person file share one e-mail address.

``python -m benchmarks.demo_mailboxes DATA.csv TRUTH.csv`` prints the count; ``benchmarks/matching.py``
prints it for each demo file it matches, beside the true pairs, so a reader sees how many hard
non-matches the e-mail field carries.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path


def shared_mailbox_pairs(data: Path, truth: Path) -> dict[str, int]:
    """Pairs of rows with one identical (lower-cased) e-mail address: of different people, and of one person."""
    person: dict[str, str] = {}

    def find(x: str) -> str:
        while person.get(x, x) != x:
            x = person[x] = person.get(person[x], person[x])
        return x

    with truth.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            a, b = find(row["id_l"]), find(row["id_r"])
            if a != b:
                person[b] = a
    by_email: dict[str, Counter[str]] = defaultdict(Counter)
    with data.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["email"]:
                by_email[row["email"].strip().lower()][find(row["id"])] += 1
    different = same = 0
    for people in by_email.values():
        n = sum(people.values())
        within = sum(k * (k - 1) // 2 for k in people.values())
        same += within
        different += n * (n - 1) // 2 - within
    return {"different_people": different, "same_person": same}


if __name__ == "__main__":
    print(shared_mailbox_pairs(Path(sys.argv[1]), Path(sys.argv[2])))  # noqa: T201
