"""Default purposes and per-country rules; administrators may change them afterwards."""

from django.db import migrations

from kundebase.privacy.purposes import SHIPPED

# country, bookkeeping years, existing-customer exemption, exemption months, prospect months, ex-customer years
POLICIES = [
    ("*", 10, False, 24, 24, 5),
    ("NO", 5, True, 24, 24, 5),   # bokføringsloven § 13; markedsføringsloven § 12 (existing customers)
    ("DK", 5, True, 24, 24, 5),   # bogføringsloven § 12; markedsføringsloven § 10 (stk. 2)
    ("SE", 7, True, 24, 24, 5),   # bokföringslagen 7 kap. 2 §
    ("DE", 8, False, 24, 24, 5),  # HGB § 257 / AO § 147 (8 years for vouchers since 2025)
    ("HU", 8, False, 24, 24, 5),  # számviteli törvény 169. §
]


def seed(apps, schema_editor):
    Purpose = apps.get_model("privacy", "Purpose")
    CountryPolicy = apps.get_model("privacy", "CountryPolicy")
    for key, name, description, basis, needs_consent in SHIPPED:
        Purpose.objects.get_or_create(key=key, defaults={"name": name, "description": description,
                                                         "legal_basis": basis, "requires_consent": needs_consent})
    for country, years, exempt, months, prospect, ex_customer in POLICIES:
        CountryPolicy.objects.get_or_create(country=country, defaults={
            "bookkeeping_years": years, "customer_exemption": exempt, "customer_exemption_months": months,
            "prospect_months": prospect, "ex_customer_years": ex_customer})


class Migration(migrations.Migration):
    dependencies = [("privacy", "0002_quarantine_country_policy")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
