"""Writing and finding customers: the one write path for persons, companies, their contact points and addresses.

Every channel comes through here: the API and the web forms (a list of one), imports and events (batches),
the demo load, and the lifecycle steps of other apps (merge, erasure, a first order).  Each write validates
everything first, reports every problem at once, and then changes the database in one transaction together
with its provenance and its audit entries, so a refused request leaves nothing behind.  No other module
writes ``Party``, ``Person``, ``Company``, ``ContactPoint`` or ``Address`` rows (``tests/core/test_structure.py``
fails when one does).

* :mod:`.creation` — ``create_persons``/``create_companies`` (and the single ``create_person``/``create_company``)
* :mod:`.updates` — ``update_person``/``update_company`` (a ``Card`` edits the whole form at once), ``update_persons``,
  ``delete_party``
* :mod:`.children` — contact points, addresses and roles
* :mod:`.lifecycle` — merge, erasure, restriction and first-order steps of other apps
* :mod:`.generated` — the demo load's pre-built rows
* :mod:`.reading` — one customer, a corporate group, a search page
* :mod:`.rules` — versions and their guards, customer numbers, screening, primaries
"""

from __future__ import annotations

from kundebase.parties.lookup import lookup
from kundebase.parties.names import person_name
from kundebase.parties.services.children import (
    add_address,
    add_contact_point,
    add_role,
    remove_address,
    remove_contact_point,
    remove_role,
    update_address,
    update_contact_point,
    update_role,
)
from kundebase.parties.services.creation import (
    NewCustomer,
    create_companies,
    create_company,
    create_person,
    create_persons,
)
from kundebase.parties.services.reading import get_company, get_party, get_person, group_tree, search
from kundebase.parties.services.rules import MAX_GROUP_DEPTH, changes_told_together, erased_conflict, refuse_erased
from kundebase.parties.services.updates import (
    Additions,
    Card,
    delete_party,
    update_company,
    update_person,
    update_persons,
)

__all__ = ["MAX_GROUP_DEPTH", "Additions", "Card", "NewCustomer", "add_address", "add_contact_point", "add_role",
           "changes_told_together", "create_companies", "create_company", "create_person", "create_persons",
           "delete_party", "erased_conflict", "get_company", "get_party", "get_person", "group_tree", "lookup",
           "person_name", "refuse_erased", "remove_address", "remove_contact_point", "remove_role", "search",
           "update_address", "update_company", "update_contact_point", "update_person", "update_persons",
           "update_role"]
