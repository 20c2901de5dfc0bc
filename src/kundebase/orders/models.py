"""Transactions with revenue and cost per line, so margin and profitability per customer can be computed."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kundebase.core.models import TimeStamped


class ProductCategory(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("key"), max_length=120, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(ProductCategory, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="products")
    list_price = models.DecimalField(_("list price"), max_digits=12, decimal_places=2, default=Decimal("0"))
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2, default=Decimal("0"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class Order(TimeStamped):
    class Channel(models.TextChoices):
        WEB = "web", _("Web shop")
        STORE = "store", _("Store / point of sale")
        PHONE = "phone", _("Phone")
        SALES = "sales", _("Field sales")
        EMAIL = "email", _("E-mail")
        OTHER = "other", _("Other")

    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="orders")
    order_number = models.CharField(_("order number"), max_length=60, unique=True)
    ordered_at = models.DateTimeField(_("order date"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.OTHER)
    source = models.CharField(_("source"), max_length=120, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="NOK")
    # Sums of the lines, kept by the service that writes lines: reports read them without a join.
    revenue = models.DecimalField(_("revenue"), max_digits=14, decimal_places=2, default=Decimal("0"))
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, default=Decimal("0"))
    anonymised_at = models.DateTimeField(null=True, blank=True)
    credit_warning = ""
    """Not stored: what credit control said when the order was created (returned once, by the service)."""

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [models.Index(fields=["party", "-ordered_at"], name="order_party_time"),
                   models.Index(fields=["ordered_at"], name="order_time")]
        ordering = ["-ordered_at", "-id"]

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.cost

    def __str__(self) -> str:
        return self.order_number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT, related_name="lines")
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, default=Decimal("1"))
    revenue = models.DecimalField(_("revenue"), max_digits=14, decimal_places=2)
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")


class ProductInterest(TimeStamped):
    """A customer's interest in a product or a category, stated or inferred."""

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="product_interests")
    category = models.ForeignKey(ProductCategory, null=True, blank=True, on_delete=models.CASCADE)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE)
    source = models.CharField(_("source"), max_length=120, blank=True)
    accepted = models.BooleanField(_("accepted"), default=True)

    class Meta:
        verbose_name = _("product interest")
        verbose_name_plural = _("product interests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__isnull=False) | models.Q(product__isnull=False),
                name="interest_has_target",
            )
        ]
