"""The dialect layer: one object per engine, chosen from the connection, whose pieces work on the real engine."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection

from kundebase.core.dialect import DIALECTS, for_connection
from kundebase.matching.models import BlockingKey
from kundebase.parties.models import Party

pytestmark = pytest.mark.django_db

ENGINES = {"django.db.backends.sqlite3": "sqlite", "django.db.backends.postgresql": "postgresql"}


def _engine() -> str:
    return ENGINES[settings.DATABASES["default"]["ENGINE"]]


def test_the_connection_gets_the_dialect_of_its_engine() -> None:
    dialect = for_connection(connection)
    assert dialect.name == _engine()
    assert for_connection() is dialect is DIALECTS[_engine()]


def test_an_engine_without_a_dialect_is_refused_by_name() -> None:
    with pytest.raises(NotImplementedError, match="mysql"):
        for_connection(SimpleNamespace(vendor="mysql"))


def test_health_and_readiness_name_the_engine(client) -> None:
    assert client.get("/api/v1/health").json()["database"] == _engine()
    assert client.get("/ready").json()["database"] == _engine()


def test_a_timestamp_parameter_compares_with_stored_timestamps_in_any_zone() -> None:
    party = Party.objects.create(kind="person", customer_number="D1", display_name="D", search_name="d")
    stored = Party.objects.values_list("created_at", flat=True).get(pk=party.pk)
    dialect = for_connection(connection)
    sql = (f"SELECT COUNT(*) FROM parties_party WHERE id = {dialect.placeholder} "
           f"AND created_at >= {dialect.placeholder}")
    oslo = stored.astimezone(ZoneInfo("Europe/Oslo"))
    naive_utc = stored.astimezone(dt.UTC).replace(tzinfo=None)
    with connection.cursor() as cursor:
        for moment, expected in [(stored, 1), (oslo, 1), (naive_utc, 1), (stored + dt.timedelta(microseconds=1), 0),
                                 (oslo + dt.timedelta(seconds=1), 0), (naive_utc - dt.timedelta(seconds=1), 1)]:
            cursor.execute(sql, [party.pk, dialect.datetime_param(moment)])
            assert cursor.fetchone()[0] == expected, moment


def test_rows_per_key_come_in_one_statement_at_most_per_key_each(django_assert_num_queries) -> None:
    parties = [Party.objects.create(kind="person", customer_number=f"K{n}", display_name="K", search_name="k").pk
               for n in range(4)]
    BlockingKey.objects.bulk_create([BlockingKey(party_id=pid, key="t:many") for pid in parties]
                                    + [BlockingKey(party_id=parties[0], key="t:one")])
    dialect = for_connection(connection)
    quote = connection.ops.quote_name
    table, key, party = quote(BlockingKey._meta.db_table), quote("key"), quote("party_id")
    with django_assert_num_queries(1), connection.cursor() as cursor:
        rows = dialect.fetch_per_key(cursor, table, key, party, ["t:many", "t:one", "t:none"], 3)
    assert sorted(k for k, _ in rows) == ["t:many"] * 3 + ["t:one"]
    assert ("t:one", parties[0]) in rows and {pid for k, pid in rows if k == "t:many"} <= set(parties)
    with connection.cursor() as cursor:
        assert dialect.fetch_per_key(cursor, table, key, party, [], 3) == []
