"""The few rows analytics keeps in the operational database: permissions and service-cost rates.

The analysed data itself lives in the DuckDB mirror (see :mod:`kundebase.analytics.engine`);
only what an administrator configures is stored here, so it is backed up with everything else.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportAccess(models.Model):
    """Carries the analytics permissions; no table, because a permission needs a model to hang on."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_reports", _("Can view analytics reports and the dashboard")),
            ("view_keyfigures", _("Can view customer key figures")),
            ("review_suggestions", _("Can accept or dismiss inferred product interests")),
        ]


class ServiceCostRate(models.Model):
    """What one interaction of a kind costs us, so frequent-but-expensive customers show up as unprofitable."""

    kind = models.CharField(_("interaction type"), max_length=12, unique=True)
    cost = models.DecimalField(_("cost per interaction"), max_digits=10, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("service cost rate")
        verbose_name_plural = _("service cost rates")
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.cost}"


class ChangeMark(models.Model):
    """A row of ``customers``/``orders``/``interactions`` changed or was deleted: the mirror re-reads it.

    Written by signal handlers inside the writer's transaction, so a mark commits (or rolls back)
    together with the change it describes; new rows need no mark (the mirror follows the id).
    """

    table = models.CharField(max_length=20)
    row_id = models.BigIntegerField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        default_permissions = ()
        indexes = [models.Index(fields=["table", "id"], name="analytics_mark_table")]


class DismissedSuggestion(models.Model):
    """An inferred interest an employee turned down, so the next text run does not suggest it again."""

    party = models.ForeignKey("parties.Party", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("orders.ProductCategory", on_delete=models.CASCADE, related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["party", "category"], name="uniq_dismissed_suggestion")]
