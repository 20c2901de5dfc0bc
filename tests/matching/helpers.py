"""Customers made through the parties services, as every channel makes them."""

from __future__ import annotations

from typing import Any

from kundebase.parties import services


def person(given: str, family: str, *, born: str | None = None, email: str | None = None, phone: str | None = None,
           street: str = "", postcode: str = "", city: str = "", country: str = "NO", **extra: Any) -> Any:
    cps = ([{"kind": "email", "value": email}] if email else []) + ([{"kind": "mobile", "value": phone}]
                                                                      if phone else [])
    addrs = [{"street": street, "postcode": postcode, "city": city, "country": country}] if street or postcode else []
    data = {"given_name": given, "family_name": family, **extra}
    if born:
        data["birth_date"] = born
    return services.create_person(data=data, contact_points=cps, addresses=addrs, actor=None, channel="test")


def company(name: str, *, org: str = "", country: str = "NO", parent: int | None = None, phone: str | None = None,
            website: str | None = None, street: str = "", postcode: str = "", city: str = "") -> Any:
    data: dict[str, Any] = {"legal_name": name}
    if org:
        data.update(org_number=org, org_country=country)
    if parent:
        data["parent_id"] = parent
    cps = ([{"kind": "phone", "value": phone}] if phone else []) + ([{"kind": "website", "value": website}]
                                                                     if website else [])
    addrs = [{"street": street, "postcode": postcode, "city": city, "country": country}] if street or postcode else []
    return services.create_company(data=data, contact_points=cps, addresses=addrs, actor=None, channel="test")
