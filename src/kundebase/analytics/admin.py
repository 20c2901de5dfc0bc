"""Service-cost rates are edited in the admin: a handful of numbers an administrator sets once."""

from django.contrib import admin

from kundebase.analytics.models import ServiceCostRate


@admin.register(ServiceCostRate)
class ServiceCostRateAdmin(admin.ModelAdmin):
    list_display = ("kind", "cost")
