"""Hostile input against a real ``kundebase serve``: per surface, how many cases were tried, how many were
answered with a server error, and how many acknowledged events were lost.

``python -m benchmarks.hostile [--customers N] [--mode production|development] [--postgresql] [--no-record]``

A throwaway installation (demo data, an administrator with an API token, a source with a write key) is
served by a real ``kundebase serve`` subprocess. The surfaces:

* **event API** — ``/v1/batch`` and the single-call routes with malformed, oversized, deeply nested,
  NUL-carrying, lone-surrogate, wrongly typed and duplicate events; every event answered 2xx is
  *acknowledged*, and after ``kundebase process_events`` has run each must be processed or set aside with
  a reason (``error``) — an acknowledged event that is neither is *lost*;
* **JSON bodies** — every POST/PUT/PATCH operation of the OpenAPI document with hostile bodies (not
  JSON, the wrong JSON type, deep nesting, NUL bytes and lone surrogates in every string field, huge
  strings and numbers, booleans for numbers);
* **file imports** — CSV, XLSX and JSONL files that are empty, binary, truncated, wrongly encoded, very
  wide or hold invalid lines, uploaded, mapped and run through the import pages;
* **page forms** — sign-in, search, customer, segment, privacy and source forms with the same values.

A server error is any answer of 500 or more. The closing report is recorded as the "Hostile input"
section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import io
import json
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEEP = 5000
"""Nesting depth of the deep-JSON cases (Python's json parser recurses: ~1000 is the usual ceiling)."""
NUL = "a\u0000b"
SURROGATE = "\\ud800"
"""A lone surrogate, written as a JSON escape: valid JSON text, not valid Unicode."""


@dataclass
class Surface:
    name: str
    cases: int = 0
    errors: list[str] = field(default_factory=list)
    acknowledged: dict[str, str] = field(default_factory=dict)
    """message id → the case that sent it"""
    lost: list[str] | None = None

    def note(self, label: str, res: requests.Response | None) -> None:
        self.cases += 1
        if res is None:
            self.errors.append(f"{label}: no answer")
        elif res.status_code >= 500:
            self.errors.append(f"{label}: {res.status_code}")


def deep(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def hostile_values() -> Iterator[tuple[str, Any]]:
    """Values for a string field: (label, value); each goes into a JSON body through ``json.dumps``."""
    yield "nul", NUL
    yield "huge-string", "x" * 200_000
    yield "huge-int", 2**80
    yield "negative", -1
    yield "bool", True
    yield "list", ["a"]
    yield "object", {"a": 1}
    yield "null", None
    yield "float-exp", 1e308
    yield "rtl-and-emoji", "\u202e\U0001f600" * 50


def raw_bodies() -> Iterator[tuple[str, bytes, str]]:
    """Whole bodies: (label, bytes, content type)."""
    yield "not-json", b"{not json", "application/json"
    yield "empty", b"", "application/json"
    yield "array", b"[]", "application/json"
    yield "string", b'"x"', "application/json"
    yield "null", b"null", "application/json"
    yield "deep", deep(DEEP).encode(), "application/json"
    yield "surrogate", ('{"name": "' + SURROGATE + '", "given_name": "' + SURROGATE + '"}').encode(), \
        "application/json"
    yield "nan", b'{"value": NaN, "limit": Infinity}', "application/json"
    yield "latin1", '{"name": "Ø"}'.encode("latin-1"), "application/json"
    yield "form", b"a=1&b=2", "application/x-www-form-urlencoded"
    yield "multipart", b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--\r\n", \
        "multipart/form-data; boundary=x"
    yield "big", b'{"name": "' + b"x" * (11 * 1024 * 1024) + b'"}', "application/json"


class Run:
    def __init__(self, server: Any, write_key: str) -> None:
        self.server = server
        self.write_key = write_key
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Bearer {server.token}"

    def call(self, session: requests.Session, method: str, url: str, **kw: Any) -> requests.Response | None:
        try:
            return session.request(method, url, timeout=120, **kw)
        except requests.RequestException:
            return None

    # --- event API -------------------------------------------------------------------------------------
    def events(self, surface: Surface) -> None:
        http = requests.Session()
        auth = "Basic " + base64.b64encode(f"{self.write_key}:".encode()).decode()
        http.headers.update({"Authorization": auth, "Content-Type": "application/json"})
        url = self.server.url

        def event(kind: str = "track", **extra: Any) -> dict[str, Any]:
            body = {"type": kind, "messageId": f"h-{uuid.uuid4().hex}", "userId": "hostile-user",
                    "event": "Hostile", "properties": {}, "timestamp": "2026-01-01T00:00:00Z"}
            body.update(extra)
            return body

        cases: list[tuple[str, Any]] = [
            ("valid-identify", [event("identify", traits={"email": "hostile@example.no", "lastName": "Hostile"})]),
            ("valid-order", [event(event="Order Completed", properties={
                "order_id": "H-1", "revenue": 10.0, "products": [{"name": "x", "price": 10.0, "quantity": 1}]})]),
            ("no-type", [{k: v for k, v in event().items() if k != "type"}]),
            ("unknown-type", [event("explode")]),
            ("no-message-id", [{k: v for k, v in event().items() if k != "messageId"}]),
            ("long-message-id", [event(messageId="m" * 5000)]),
            ("long-user-id", [event(userId="u" * 5000)]),
            ("no-user", [{k: v for k, v in event().items() if k != "userId"}]),
            ("nul-in-strings", [event(userId=NUL, event=NUL, properties={"k": NUL, NUL: 1})]),
            ("nul-traits", [event("identify", traits={"email": NUL, "firstName": NUL})]),
            ("garbage-timestamp", [event(timestamp="yesterday-ish")]),
            ("year-0-timestamp", [event(timestamp="0000-01-01T00:00:00Z")]),
            ("revenue-text", [event(event="Order Completed", properties={"order_id": "H-2", "revenue": "abc"})]),
            ("products-not-list", [event(event="Order Completed", properties={"order_id": "H-3",
                                                                             "products": "many"})]),
            ("huge-quantity", [event(event="Order Completed", properties={
                "order_id": "H-4", "products": [{"name": "x", "price": 1e308, "quantity": 2**70}]})]),
            ("properties-list", [event(properties=[1, 2, 3])]),
            ("traits-string", [event("identify", traits="me")]),
            ("bad-email", [event("identify", traits={"email": "not an email", "phone": "12"})]),
            ("group-no-id", [event("group", groupId=None, traits={"name": "X"})]),
            ("alias-self", [event("alias", previousId="hostile-user")]),
            ("duplicate-ids", [event(messageId="h-dup"), event(messageId="h-dup")]),
            ("batch-not-list", {"batch": "x"}),
            ("batch-items-not-objects", {"batch": [1, "a", None]}),
            ("many-small", [event() for _ in range(400)]),
        ]
        for label, batch in cases:
            body = {"batch": batch} if isinstance(batch, list) else batch
            res = self.call(http, "POST", f"{url}/v1/batch", data=json.dumps(body))
            surface.note(f"batch {label}", res)
            if res is not None and res.status_code < 300 and isinstance(batch, list):
                surface.acknowledged.update({e.get("messageId", ""): label for e in batch if isinstance(e, dict)})
        for label, raw, ctype in raw_bodies():
            res = self.call(http, "POST", f"{url}/v1/batch", data=raw, headers={"Content-Type": ctype})
            surface.note(f"batch raw {label}", res)
        for label, raw in (("gzip-garbage", b"\x1f\x8b\x08garbage"),
                           ("gzip-bomb", gzip.compress(b'{"batch": [' + b" " * 50_000_000 + b"]}"))):
            res = self.call(http, "POST", f"{url}/v1/batch", data=raw, headers={"Content-Encoding": "gzip"})
            surface.note(f"batch {label}", res)
        for kind in ("identify", "track", "page", "screen", "group", "alias"):
            for label, value in hostile_values():
                body = event(kind, userId=value if label != "huge-string" else "u", properties={"v": value},
                             traits={"email": value})
                res = self.call(http, "POST", f"{url}/v1/{kind}", data=json.dumps(body))
                surface.note(f"{kind} {label}", res)
                if res is not None and res.status_code < 300:
                    surface.acknowledged[body["messageId"]] = f"{kind} {label}"
            res = self.call(http, "POST", f"{url}/v1/{kind}", data=deep(DEEP))
            surface.note(f"{kind} deep", res)
        for label, headers in (("no-key", {"Authorization": ""}), ("bad-key", {"Authorization": "Basic Og=="}),
                               ("garbage-auth", {"Authorization": "Basic ***"})):
            res = self.call(http, "POST", f"{url}/v1/batch", data=json.dumps({"batch": [event()]}), headers=headers)
            surface.note(f"auth {label}", res)

    def lost_events(self, acknowledged: dict[str, str]) -> list[str]:
        """Acknowledged message ids that, after the worker ran, are neither processed nor set aside."""
        self.server.cli("process_events")
        # The server keeps at most 200 characters of a messageId; look an event up the way it was stored.
        stored = {m[:200]: m for m in acknowledged if isinstance(m, str) and m}
        wanted = sorted(stored)
        code = (
            "import json,sys\n"
            "from kundebase.ingest.models import Event\n"
            f"ids = json.loads({json.dumps(json.dumps(wanted))})\n"
            "done = set()\n"
            "for i in range(0, len(ids), 500):\n"
            "    q = Event.objects.filter(message_id__in=ids[i:i + 500])\n"
            "    done |= {m for m, p, e in q.values_list('message_id', 'processed_at', 'error') if p or e}\n"
            "print(json.dumps(sorted(set(ids) - done)))\n")
        out = self.server.cli("shell", "-c", code).stdout.strip().splitlines()[-1]
        return [f"{acknowledged[stored[m]]} ({m[:40]})" for m in json.loads(out)]

    # --- JSON bodies of every route -------------------------------------------------------------------
    def json_bodies(self, surface: Surface) -> None:
        schema = self.api.get(f"{self.server.url}/api/v1/openapi.json", timeout=60).json()
        components = schema.get("components", {}).get("schemas", {})
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                if method not in ("post", "put", "patch"):
                    continue
                url = self.server.url + re.sub(r"\{[^}]+\}", "1", path)
                fields = body_fields(operation, components)
                for label, raw, ctype in raw_bodies():
                    res = self.call(self.api, method.upper(), url, data=raw, headers={"Content-Type": ctype})
                    surface.note(f"{method.upper()} {path} {label}", res)
                for name in fields:
                    for label, value in hostile_values():
                        res = self.call(self.api, method.upper(), url, json={name: value})
                        surface.note(f"{method.upper()} {path} {name}={label}", res)

    # --- file imports ---------------------------------------------------------------------------------
    def imports(self, surface: Surface, folder: Path) -> None:
        web = self.signed_in()
        for name, content in hostile_files(folder):
            token = web.cookies.get("csrftoken", "")
            with (folder / name).open("wb") as handle:
                handle.write(content)
            with (folder / name).open("rb") as handle:
                res = self.call(web, "POST", f"{self.server.url}/import/new", files={"file": (name, handle)},
                                data={"source": "hostile", "entity": "persons", "csrfmiddlewaretoken": token},
                                headers=self.cookie_header(web), allow_redirects=False)
            surface.note(f"upload {name}", res)
            location = res.headers.get("Location", "") if res is not None else ""
            match = re.search(r"/import/(\d+)/", location)
            if not match:
                continue
            job = match.group(1)
            res = self.call(web, "GET", f"{self.server.url}/import/{job}/mapping", headers=self.cookie_header(web))
            surface.note(f"mapping {name}", res)
            res = self.call(web, "POST", f"{self.server.url}/import/{job}/start",
                            data={"csrfmiddlewaretoken": token}, headers=self.cookie_header(web),
                            allow_redirects=False)
            surface.note(f"start {name}", res)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                res = self.call(self.api, "GET", f"{self.server.url}/api/v1/imports/{job}")
                if res is None or res.status_code != 200 or res.json().get("status") in ("done", "failed"):
                    break
                time.sleep(0.3)
            surface.note(f"progress {name}", res)
            res = self.call(web, "GET", f"{self.server.url}/import/{job}/errors.csv", headers=self.cookie_header(web))
            surface.note(f"errors.csv {name}", res)

    # --- page forms -------------------------------------------------------------------------------------
    def forms(self, surface: Surface) -> None:
        base = self.server.url
        anonymous = requests.Session()
        anonymous.get(f"{base}/login/", timeout=60)
        for label, value in form_values():
            token = anonymous.cookies.get("csrftoken", "")
            res = self.call(anonymous, "POST", f"{base}/login/", data={
                "username": value, "password": value, "csrfmiddlewaretoken": token},
                headers=self.cookie_header(anonymous))
            surface.note(f"login {label}", res)
        web = self.signed_in()
        token = web.cookies.get("csrftoken", "")
        pages: list[tuple[str, str, dict[str, str]]] = [
            ("GET", "/search/", {"q": ""}), ("GET", "/lookup", {"q": ""}), ("GET", "/customers/", {"q": ""}),
            ("POST", "/customers/new/person/", {"given_name": "", "family_name": "", "email": "", "birth_date": ""}),
            ("POST", "/customers/new/company/", {"legal_name": "", "org_number": "", "website": ""}),
            ("POST", "/customers/1/edit/", {"given_name": "", "version": ""}),
            ("POST", "/customers/1/log/", {"kind": "", "subject": "", "body": ""}),
            ("POST", "/marketing/segments/new", {"name": "", "rule": ""}),
            ("POST", "/marketing/segments/count", {"rule": ""}),
            ("POST", "/privacy/", {"party_id": "", "action": "access_json", "confirm": "on"}),
            ("POST", "/privacy/persons/1/", {"purpose": "", "channel": "", "status": ""}),
            ("POST", "/import/sources", {"name": ""}),
            ("GET", "/analytics/reports/pareto/", {"since": "", "country": ""}),
            ("GET", "/analytics/", {"since": "", "until": ""}),
        ]
        for method, path, fields in pages:
            for label, value in form_values():
                data = {key: value for key in fields}
                if "action" in fields:
                    data.update(action=fields["action"], confirm="on")
                if method == "GET":
                    res = self.call(web, "GET", base + path, params=data, headers=self.cookie_header(web))
                else:
                    data["csrfmiddlewaretoken"] = token
                    res = self.call(web, "POST", base + path, data=data, headers=self.cookie_header(web),
                                    allow_redirects=False)
                surface.note(f"{method} {path} {label}", res)

    def signed_in(self) -> requests.Session:
        web = requests.Session()
        web.get(f"{self.server.url}/login/", timeout=60)
        from tests.journeys.server import PASSWORD

        web.post(f"{self.server.url}/login/", data={
            "username": "demo", "password": PASSWORD, "csrfmiddlewaretoken": web.cookies.get("csrftoken", "")},
            headers=self.cookie_header(web), timeout=60, allow_redirects=False)
        return web

    @staticmethod
    def cookie_header(session: requests.Session) -> dict[str, str]:
        """Production cookies are Secure; a browser sends them to 127.0.0.1 over HTTP, requests does not."""
        cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        return {"Cookie": cookies} if cookies else {}


def body_fields(operation: dict[str, Any], components: dict[str, Any]) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    for option in [schema, *schema.get("anyOf", [])]:
        ref = option.get("$ref", "")
        if ref:
            return list(components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
    return list(schema.get("properties", {}))


def form_values() -> Iterator[tuple[str, str]]:
    yield "nul", NUL
    yield "huge", "x" * 200_000
    yield "huge-number", "9" * 400
    yield "negative", "-1"
    yield "json-deep", deep(DEEP)
    yield "markup", "<script>alert(1)</script>"
    yield "rtl-emoji", "\u202e\U0001f600" * 20
    yield "sql", "' OR 1=1 --"


def hostile_files(folder: Path) -> Iterator[tuple[str, bytes]]:
    header = "Fornavn;Etternavn;E-post\r\n"
    yield "empty.csv", b""
    yield "only-header.csv", header.encode()
    yield "binary.csv", bytes(range(256)) * 200
    yield "nul.csv", (header + "Kari\x00;Nordmann;k@example.no\r\n").encode()
    yield "wide.csv", (";".join(f"c{i}" for i in range(5000)) + "\r\n" + ";".join("x" * 5000) + "\r\n").encode()
    yield "long-field.csv", (header + "K;" + "N" * 2_000_000 + ";k@example.no\r\n").encode()
    yield "mixed-encoding.csv", header.encode() + "Åse;Bråten;a@example.no\r\n".encode("latin-1") + \
        "Øyvind;Ås;o@example.no\r\n".encode()
    yield "unbalanced-quotes.csv", (header + '"Kari;Nordmann;k@example.no\r\n' * 50).encode()
    yield "utf16.csv", (header + "Kari;Nordmann;k@example.no\r\n").encode("utf-16")
    yield "not-a-zip.xlsx", b"PK\x03\x04 definitely not a workbook"
    yield "text.xlsx", b"Fornavn;Etternavn\r\nKari;Nordmann\r\n"
    yield "truncated.xlsx", workbook()[:800]
    yield "formulas.xlsx", workbook(formula=True)
    yield "invalid-lines.jsonl", b'{"given_name": "Kari"}\n{not json\n[1,2]\n"x"\nnull\n' + deep(DEEP).encode() + b"\n"
    yield "surrogate.jsonl", ('{"given_name": "' + SURROGATE + '", "family_name": "X"}\n').encode()
    yield "nul.jsonl", (b'{"given_name": "a\\u0000b", "family_name": "X"}\n')
    yield "huge-line.jsonl", b'{"given_name": "' + b"x" * 3_000_000 + b'"}\n'


def workbook(formula: bool = False) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Fornavn", "Etternavn", "E-post", "Fødselsdato"])
    for i in range(50):
        sheet.append(["=1/0" if formula else f"Navn{i}", "=HYPERLINK(\"http://x\")" if formula else "Etter",
                      f"p{i}@example.no", "not a date" if formula else "1980-01-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report(surfaces: list[Surface], seconds: float, mode: str, backend: str, customers: int) -> str:
    lines = [f"A real `kundebase serve` in {mode} mode on {backend}, {customers} demo customers; "
             f"{seconds:.0f} s in all. A server error is an answer of 500 or more; an acknowledged event is "
             "lost when, after `kundebase process_events`, it is neither processed nor set aside with a reason.",
             "", "| Surface | Cases tried | Server errors | Acknowledged events | Acknowledged but lost |",
             "|---|---:|---:|---:|---:|"]
    for s in surfaces:
        lost = "—" if s.lost is None else str(len(s.lost))
        acknowledged = str(len(s.acknowledged)) if s.name == "event API" else "—"
        lines.append(f"| {s.name} | {s.cases} | {len(s.errors)} | {acknowledged} | {lost} |")
    lost_cases = [case for s in surfaces for case in s.lost or []]
    if lost_cases:
        lines += ["", "Acknowledged events lost: " + "; ".join(f"`{case}`" for case in lost_cases[:20])]
    failing = [(s.name, e) for s in surfaces for e in s.errors]
    if failing:
        lines += ["", "Cases answered with a server error:", ""]
        lines += [f"* {name}: `{error}`" for name, error in failing[:60]]
        if len(failing) > 60:
            lines.append(f"* … and {len(failing) - 60} more")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--mode", choices=("production", "development"), default="production")
    parser.add_argument("--postgresql", action="store_true", help="run on a throwaway PostgreSQL cluster")
    parser.add_argument("--no-record", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args(argv)

    import os

    from tests.journeys.server import Server, new_database_url

    folder = Path(tempfile.mkdtemp(prefix="kb-hostile-"))
    cluster = None
    if args.postgresql:
        from tests import pgcluster

        cluster = pgcluster.start()
        os.environ["KUNDEBASE_DATABASE_URL"] = cluster.url
    server = Server(args.mode, folder, new_database_url(folder, "hostile"))
    started = time.monotonic()
    try:
        server.install(args.customers)
        write_key = server.cli("sources", "add", "hostile-events").stdout.strip().split()[-1]
        server.start()
        run = Run(server, write_key)
        surfaces = [Surface("event API"), Surface("JSON bodies (every route)"), Surface("file imports"),
                    Surface("page forms")]
        run.events(surfaces[0])
        surfaces[0].lost = run.lost_events(surfaces[0].acknowledged)
        run.json_bodies(surfaces[1])
        run.imports(surfaces[2], folder)
        run.forms(surfaces[3])
    finally:
        server.stop()
        if cluster is not None:
            cluster.stop()
    backend = "PostgreSQL" if args.postgresql else "SQLite"
    body = report(surfaces, time.monotonic() - started, args.mode, backend, args.customers)
    print(body)
    if not args.no_record:
        from benchmarks.results import record

        record("hostile", "Hostile input", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
