"""Where a form's button returns to: the page it was pressed on, never another site."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def back(request: HttpRequest, fallback: str, *args: object) -> HttpResponseRedirect:
    """To the form's ``next`` when it is a page of this site (an open redirect would let a link forward people
    anywhere), else to ``fallback`` (a path or a URL name with ``args``)."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback, *args)
