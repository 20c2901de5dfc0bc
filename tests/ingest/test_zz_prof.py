import cProfile, pstats, io, time
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from kundebase.ingest import events
from tests.ingest.test_events_http import post
from tests.ingest.test_event_batch import write_key  # noqa
pytestmark = pytest.mark.django_db

def mix(count, offset=0):
    users = count // 10
    out = []
    for n in range(offset, offset + count):
        user = f"user-{n % users}"; kind = n % 10
        if n - offset < users or kind == 8:
            out.append({"type": "identify", "userId": user, "messageId": f"m{n}", "traits": {"email": f"{user}@example.no", "firstName": "Kari", "lastName": f"N{n % users}"}})
        elif kind < 4:
            out.append({"type": "page", "userId": user, "messageId": f"m{n}", "name": "Product", "properties": {"url": f"https://shop.example.no/p/{n % 300}"}})
        elif kind < 8:
            out.append({"type": "track", "userId": user, "messageId": f"m{n}", "event": "Product Viewed", "properties": {"sku": f"SKU-{n % 300}", "price": 99.0}})
        else:
            out.append({"type": "track", "userId": user, "messageId": f"m{n}", "event": "Order Completed", "properties": {"order_id": f"O-{n}", "revenue": 199.0, "products": [{"sku": "x", "price": 199.0, "quantity": 1}]}})
    return out

def test_prof(client, write_key):
    evs = mix(2000)
    for i in range(0, len(evs), 100):
        post(client, "/v1/batch", {"batch": evs[i:i+100]}, write_key)
    pr = cProfile.Profile()
    t = time.perf_counter()
    with CaptureQueriesContext(connection) as seen:
        pr.enable(); n = events.process(limit=10**6); pr.disable()
    print("EVENTS", n, time.perf_counter() - t, len(seen))
    s = io.StringIO(); pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(45); print(s.getvalue()[:9000])
    from collections import Counter
    c = Counter(q["sql"][:90] for q in seen.captured_queries)
    for k, v in c.most_common(15): print(v, k)
