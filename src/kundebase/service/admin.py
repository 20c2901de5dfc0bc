"""Mailboxes, service levels and reply templates are set up by an administrator in the admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from kundebase.core.errors import DomainError
from kundebase.service.fetching import check_settings
from kundebase.service.models import Mailbox, ReplyTemplate, SlaRule


class MailboxForm(forms.ModelForm):
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)

    class Meta:
        model = Mailbox
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            check_settings(Mailbox(**{k: v for k, v in data.items() if k in {f.name for f in Mailbox._meta.fields}}))
        except DomainError as exc:
            raise ValidationError({e.field: e.message for e in exc.errors}) from exc
        return data


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ("name", "address", "kind", "host", "opens_cases", "active", "last_fetched_at", "failures",
                    "retry_at")
    readonly_fields = ("uidvalidity", "last_uid", "last_fetched_at", "last_error", "failures", "retry_at")


@admin.register(SlaRule)
class SlaRuleAdmin(admin.ModelAdmin):
    list_display = ("category", "category_name", "priority", "hours")


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "language", "subject")
