"""``/ready``: may a load balancer send this process traffic?  Yes when the database answers and every
migration this code knows is applied; otherwise 503 in the API's error shape.

Beside ``/api/v1/health`` (liveness): a process that is alive but started against a database whose
migrations have not run yet is not ready.  Once the migrations were found applied, the (slow) migration
graph is not read again by this process; the database is asked on every call.

A process that was told to stop (``kundebase serve`` got SIGTERM) answers 503 ``shutting_down`` for the
drain period while it goes on serving every other request, so the load balancer takes it out of rotation
before it stops accepting connections (:func:`begin_shutdown`).
"""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from kundebase.core.dialect import for_connection

_migrated = False
_shutting_down = False


def shutting_down() -> bool:
    return _shutting_down


def begin_shutdown() -> None:
    """From now on this process is not ready: it is draining before it exits."""
    global _shutting_down
    _shutting_down = True


def _pending_migrations() -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def ready(request: HttpRequest) -> HttpResponse:
    from kundebase.core.problems import problem_response

    global _migrated
    if _shutting_down:
        return problem_response(request, 503, "shutting_down", "This server process is stopping")
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        if not _migrated:
            pending = _pending_migrations()
            if pending:
                return problem_response(request, 503, "migrations_pending",
                                        f"{len(pending)} migrations are not applied yet: {', '.join(pending[:5])}")
            _migrated = True
    except DatabaseError:
        return problem_response(request, 503, "database_unreachable", "The database does not answer")
    return JsonResponse({"status": "ready", "database": for_connection(connection).name, "migrations": "applied"})
