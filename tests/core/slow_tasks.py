"""A task for the worker tests: one that takes its time, so the worker can be stopped in the middle of it."""

from __future__ import annotations

import time

from django_tasks import task


@task()
def sleep(seconds: float) -> None:
    time.sleep(seconds)
