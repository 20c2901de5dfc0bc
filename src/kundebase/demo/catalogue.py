"""A small outdoor retailer's catalogue: gear, clothing, electronics and services, in NOK.

Services carry thin or negative margins on purpose: customers who buy mostly
repairs and rentals and call often are the "busy but unprofitable" group.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from kundebase.orders.models import Product, ProductCategory


@dataclass(frozen=True)
class Item:
    sku: str
    name: str
    category: str
    price: int
    cost: int


CATEGORIES: dict[str, tuple[str, str | None]] = {
    "outdoor": ("Outdoor & hiking", None),
    "tents": ("Tents & shelters", "outdoor"),
    "backpacks": ("Backpacks", "outdoor"),
    "footwear": ("Hiking boots & footwear", "outdoor"),
    "ski": ("Skis & winter gear", "outdoor"),
    "clothing": ("Clothing", None),
    "jackets": ("Jackets & shells", "clothing"),
    "base-layers": ("Wool & base layers", "clothing"),
    "electronics": ("Electronics", None),
    "navigation": ("GPS & navigation", "electronics"),
    "lights": ("Headlamps & lights", "electronics"),
    "services": ("Services", None),
    "repair": ("Repair & maintenance", "services"),
    "rental": ("Rental", "services"),
    "courses": ("Courses & guided trips", "services"),
}
"""slug → (name, parent slug)."""

ITEMS: tuple[Item, ...] = (
    Item("DEMO-TNT-2P", "Fjellvidda 2-person tunnel tent", "tents", 4990, 2650),
    Item("DEMO-TNT-3P", "Fjellvidda 3-person tunnel tent", "tents", 6490, 3400),
    Item("DEMO-TNT-UL1", "Ultralight 1-person tent", "tents", 3990, 2100),
    Item("DEMO-TRP-33", "Tarp 3x3 m", "tents", 899, 390),
    Item("DEMO-BPK-30", "Daypack 30 l", "backpacks", 1290, 610),
    Item("DEMO-BPK-55", "Trekking pack 55 l", "backpacks", 2690, 1350),
    Item("DEMO-BPK-75", "Expedition pack 75 l", "backpacks", 3490, 1800),
    Item("DEMO-BOT-GTX", "Hiking boots, waterproof", "footwear", 2490, 1190),
    Item("DEMO-BOT-TRL", "Trail running shoes", "footwear", 1590, 760),
    Item("DEMO-SOK-3", "Merino hiking socks, 3-pack", "footwear", 349, 120),
    Item("DEMO-SKI-FJL", "Mountain touring skis", "ski", 4590, 2500),
    Item("DEMO-SKI-BND", "Touring bindings", "ski", 2290, 1250),
    Item("DEMO-SKI-SKN", "Climbing skins", "ski", 1190, 560),
    Item("DEMO-JKT-SHL", "Three-layer shell jacket", "jackets", 3990, 1750),
    Item("DEMO-JKT-DWN", "Down jacket 800 fill", "jackets", 2790, 1260),
    Item("DEMO-JKT-FLC", "Fleece jacket", "jackets", 899, 380),
    Item("DEMO-PNT-SHL", "Shell trousers", "jackets", 2790, 1280),
    Item("DEMO-BSE-TOP", "Merino base layer top", "base-layers", 899, 360),
    Item("DEMO-BSE-BTM", "Merino base layer bottoms", "base-layers", 799, 320),
    Item("DEMO-HAT-WOL", "Wool beanie", "base-layers", 299, 95),
    Item("DEMO-GPS-HND", "Handheld GPS with maps", "navigation", 4490, 3300),
    Item("DEMO-GPS-WCH", "GPS multisport watch", "navigation", 5990, 4400),
    Item("DEMO-SAT-MSG", "Satellite messenger", "navigation", 3690, 2800),
    Item("DEMO-LGT-400", "Headlamp 400 lm", "lights", 549, 260),
    Item("DEMO-LGT-1000", "Headlamp 1000 lm, rechargeable", "lights", 1290, 700),
    Item("DEMO-PWR-20K", "Power bank 20,000 mAh", "lights", 499, 270),
    Item("DEMO-SRV-SKI", "Ski service (wax and edges)", "repair", 449, 420),
    Item("DEMO-SRV-ZIP", "Zip replacement", "repair", 390, 380),
    Item("DEMO-SRV-TNT", "Tent repair", "repair", 690, 650),
    Item("DEMO-SRV-BOT", "Boot resoling", "repair", 990, 900),
    Item("DEMO-RNT-TNT", "Tent rental, weekend", "rental", 450, 390),
    Item("DEMO-RNT-SKI", "Touring ski rental, weekend", "rental", 650, 560),
    Item("DEMO-CRS-AVL", "Avalanche awareness course", "courses", 2490, 2200),
    Item("DEMO-CRS-GLC", "Guided glacier walk", "courses", 1490, 1300),
)

SERVICE_CATEGORIES = frozenset({"repair", "rental", "courses"})


@dataclass(frozen=True)
class Catalogue:
    """What the generator needs of the catalogue: ids with prices, and category ids for interests."""

    products: tuple[tuple[int, str, Decimal, Decimal, str], ...]
    """(id, name, list price, unit cost, category slug)"""
    goods: tuple[int, ...]
    services: tuple[int, ...]
    category_ids: dict[str, int]


@transaction.atomic
def ensure() -> Catalogue:
    """Create the categories and products that are missing (a second demo load reuses them)."""
    categories: dict[str, ProductCategory] = {c.slug: c for c in ProductCategory.objects.filter(slug__in=CATEGORIES)}
    for slug, (name, parent) in CATEGORIES.items():
        if slug not in categories:
            categories[slug] = ProductCategory.objects.create(
                name=name, slug=slug, parent=categories[parent] if parent else None)
    existing = {p.sku: p for p in Product.objects.filter(sku__in=[i.sku for i in ITEMS])}
    missing = [Product(sku=i.sku, name=i.name, category=categories[i.category], list_price=Decimal(i.price),
                       unit_cost=Decimal(i.cost)) for i in ITEMS if i.sku not in existing]
    Product.objects.bulk_create(missing)
    by_sku = {p.sku: p for p in Product.objects.filter(sku__in=[i.sku for i in ITEMS])}
    rows = []
    for item in ITEMS:
        product = by_sku[item.sku]
        rows.append((product.pk, product.name, product.list_price, product.unit_cost, item.category))
    return Catalogue(
        products=tuple(rows),
        goods=tuple(i for i, row in enumerate(rows) if row[4] not in SERVICE_CATEGORIES),
        services=tuple(i for i, row in enumerate(rows) if row[4] in SERVICE_CATEGORIES),
        category_ids={slug: c.pk for slug, c in categories.items()},
    )
