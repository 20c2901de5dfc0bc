"""E-mail addresses as providers hand them out: one mailbox per address, a few shared by a household.

A provider never gives one address to two people, so a name-based address that
is already taken gets a number, as the sign-up form would insist.  Drawn from
1,500 names per list and country, a million persons would otherwise share
tens of thousands of mailboxes with strangers, which no real register shows
and which tells a matcher nothing it will meet in practice.  What real
registers do show is a household's shared mailbox: a couple or a family
giving one address (``familien.hansen@online.no``), and those are kept, at a
modest rate.
"""

from __future__ import annotations

import random

SHARED_MAILBOX_SHARE = 0.01
"""Share of new persons who give the mailbox of someone already in the register (a partner at the same
address).  An assumption, not a measured rate: most adults keep a mailbox of their own, and a joint
address shows up for some couples and families; one person in a hundred makes the pairs of different
people with one identical address grow with the register (as households do), not with its square (as
name collisions did), and gives a matcher the hardest non-match it meets in practice: one mailbox and
one home."""
GMAIL = ("gmail.com", "googlemail.com")


def mailbox_key(address: str) -> str:
    """The mailbox an address delivers to: case-insensitive, and at Gmail without dots or a +tag."""
    local, _, domain = address.lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


class Mailboxes:
    """The mailboxes handed out so far in one generated register (deterministic with its ``rng``)."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def claim(self, rng: random.Random, address: str) -> str:
        """``address`` if its mailbox is free, else the same with a number added to the user name."""
        local, _, domain = address.partition("@")
        candidate = address
        while mailbox_key(candidate) in self.taken:
            candidate = f"{local}{rng.randrange(1, 10_000)}@{domain}"
        self.taken.add(mailbox_key(candidate))
        return candidate
