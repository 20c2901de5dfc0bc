"""From a submitted form to the services, and from the services' refusals back to the fields.

The services report errors with the API's field paths (``contact_points[1].value``,
``addresses[0].postcode``); here each path is mapped back to the form field the value came from,
so the message appears beside the input the user typed it into.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kundebase.core.errors import Conflict, DomainError, ErrorCollector, FieldError, PreconditionFailed
from kundebase.interactions import services as interaction_services
from kundebase.parties import services, validation
from kundebase.parties.models import Address, Company, ContactPoint, Party, Person
from kundebase.web.forms import QUICK_KIND_CHANNEL, AddressFields, CompanyForm, PartyForm, PersonForm

STALE_MESSAGE = gettext_lazy("Someone else changed this customer while you were editing, so your changes were not "
                             "saved. Open the customer again to see the current data, then make your change once more.")


def _place_errors(form: forms.Form, errors: list[FieldError], paths: dict[str, str]) -> None:
    for err in errors:
        name = paths.get(err.field, err.field)
        form.add_error(name if name in form.fields else None, err.message)


def _address(cd: dict[str, Any]) -> dict[str, Any] | None:
    values = {k: cd.get(k, "") for k in AddressFields.ADDRESS_FIELDS}
    if not any(values[k] for k in ("street", "postcode", "city", "region")):
        return None
    return {"kind": "postal", "is_primary": True, **values}


def _party_data(form: PartyForm) -> dict[str, Any]:
    cd = form.cleaned_data
    data = {k: cd.get(k) for k in form.PARTY_FIELDS}
    if isinstance(form, CompanyForm):
        data["parent_id"] = None
        number = cd.get("parent_number", "")
        if number:
            parent = Company.objects.filter(customer_number=number).values_list("pk", flat=True).first()
            if parent is None:
                form.add_error("parent_number", _("No company has customer number %(n)s") % {"n": number})
            data["parent_id"] = parent
    return data


def create_party(form: PersonForm | CompanyForm, *, actor: Any) -> Party | None:
    """Create the customer, or leave the form with errors (and duplicate candidates) and return None."""
    cd = form.cleaned_data
    data = _party_data(form)
    if form.errors:
        return None
    contact_points: list[dict[str, Any]] = []
    paths: dict[str, str] = {}
    for name, kind in form.CONTACT_FIELDS:
        if cd.get(name):
            paths[f"contact_points[{len(contact_points)}].value"] = name
            paths[f"contact_points[{len(contact_points)}].kind"] = name
            contact_points.append({"kind": kind, "value": cd[name], "is_primary": True})
    address = _address(cd)
    paths.update({f"addresses[0].{k}": k for k in AddressFields.ADDRESS_FIELDS})
    create = services.create_person if isinstance(form, PersonForm) else services.create_company
    try:
        return create(data=data, contact_points=contact_points, addresses=[address] if address else [],
                      actor=actor, channel="web", allow_duplicate=bool(cd.get("create_anyway")))
    except Conflict as exc:
        form.add_error(None, exc.detail)
        form.duplicate_candidates = exc.extra.get("candidates", [])
    except DomainError as exc:
        if exc.errors:
            _place_errors(form, exc.errors, paths)
        else:
            form.add_error(None, exc.detail)
    return None


def initial_for(party: Person | Company) -> dict[str, Any]:
    """The form's starting values: the customer's fields, primary contact points and primary address."""
    form_class = PersonForm if isinstance(party, Person) else CompanyForm
    initial: dict[str, Any] = {k: getattr(party, k) for k in form_class.PARTY_FIELDS}
    initial["version"] = party.version
    if isinstance(party, Company) and party.parent_id:
        initial["parent_number"] = party.parent.customer_number if party.parent else ""
    for name, kind in form_class.CONTACT_FIELDS:
        cp = _primary_cp(party.pk, kind)
        initial[name] = cp.value if cp else ""
    address = Address.objects.filter(party_id=party.pk).order_by("-is_primary", "id").first()
    for key in AddressFields.ADDRESS_FIELDS:
        initial[key] = getattr(address, key) if address else ""
    if not address:
        initial["country"] = form_class.base_fields["country"].initial or ""
    return initial


def _primary_cp(party_id: int, kind: str) -> ContactPoint | None:
    return ContactPoint.objects.filter(party_id=party_id, kind=kind).order_by("-is_primary", "id").first()


def update_party(form: PersonForm | CompanyForm, party: Person | Company, *, actor: Any) -> bool:
    """Apply the edit in one transaction, refusing it whole when the customer changed since the form was read."""
    cd = form.cleaned_data
    changes = _party_data(form)
    if form.errors:
        return False
    is_person = isinstance(party, Person)
    # Validate everything first with the services' own rules, so all problems are shown at once.
    errors = ErrorCollector()
    (validation.clean_person if is_person else validation.clean_company)(changes, errors, partial=True)
    address = _address(cd)
    # The address being saved says how national phone numbers are read (it is stored before them).
    country = (validation.record_country([address]) if address
               else validation.record_country((), cd.get("org_country"), validation.stored_country(party.pk)))
    for name, kind in form.CONTACT_FIELDS:
        if cd.get(name):
            validation.clean_contact_point({"kind": kind, "value": cd[name]}, errors, prefix=f"{name}.",
                                           default_country=country)
    if address:
        validation.clean_address(address, errors, prefix="address.")
    paths = {f"{name}.value": name for name, _kind in form.CONTACT_FIELDS}
    paths.update({f"address.{k}": k for k in AddressFields.ADDRESS_FIELDS})
    if errors:
        _place_errors(form, errors.errors, paths)
        return False
    contacts = [(kind, cd.get(name) or "") for name, kind in form.CONTACT_FIELDS]
    paths.update({f"contact_points[{i}].value": name for i, (name, _kind) in enumerate(form.CONTACT_FIELDS)})
    card = services.Card(contacts=contacts, address=address)
    update = services.update_person if is_person else services.update_company
    try:
        # One call, one version: the fields, primary contact points and primary address change together.
        update(party_id=party.pk, changes=changes, expected_version=cd.get("version"), actor=actor, channel="web",
               card=card)
    except PreconditionFailed:
        form.add_error(None, STALE_MESSAGE)
        return False
    except DomainError as exc:
        if exc.errors:
            _place_errors(form, exc.errors, paths)
        else:
            form.add_error(None, exc.detail)
        return False
    return True


def log_interaction(form: forms.Form, party_id: int, *, actor: Any, require_date: bool = False) -> bool:
    """Log a contact (or schedule a follow-up as a note) through the interactions service."""
    cd = form.cleaned_data
    if require_date and not cd.get("follow_up_on"):
        form.add_error("follow_up_on", _("Give the date to follow up on"))
        return False
    kind = cd.get("kind") or "note"
    data = {"kind": kind, "direction": cd.get("direction") or ("internal" if kind == "note" else "out"),
            "channel": QUICK_KIND_CHANNEL.get(kind, "other"), "subject": cd.get("subject", ""),
            "body": cd.get("body", ""), "outcome": cd.get("outcome", ""),
            "follow_up_on": cd.get("follow_up_on") or None}
    try:
        interaction_services.log_interaction(party_id=party_id, data=data, actor=actor, channel="web")
    except DomainError as exc:
        if exc.errors:
            _place_errors(form, exc.errors, {})
        else:
            form.add_error(None, exc.detail)
        return False
    return True
