"""The import pages, the sources page, the provenance route and the CLI, as users reach them."""

from __future__ import annotations

import re
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

DATA = Path(__file__).resolve().parent.parent / "data" / "import"
pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_user, settings, tmp_path):
    settings.KUNDEBASE_DATA_DIR = tmp_path
    client.force_login(make_user("admin", "administrator"))
    return client


def test_upload_map_preview_and_run(admin_client, transactional_db):
    from kundebase.ingest.models import ImportJob, MappingTemplate
    from kundebase.parties.models import Person

    upload = SimpleUploadedFile("kunder.csv", (DATA / "persons_nb_semicolon_utf8.csv").read_bytes())
    res = admin_client.post("/import/new", {"file": upload, "source": "messe", "entity": "persons"})
    assert res.status_code == 302
    job = ImportJob.objects.get()
    page = admin_client.get(res["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "Fødselsdato" in html and "1980-12-31" in html
    assert Person.objects.count() == 0  # the preview writes nothing
    headers = job.options["headers"]
    form = {f"col_{i}": job.mapping.get(h, "") for i, h in enumerate(headers)}
    form[f"col_{headers.index('Land')}"] = ""
    form["template_name"] = "messeliste"
    assert admin_client.post(f"/import/{job.pk}/mapping", form).status_code == 302
    assert "Land" not in MappingTemplate.objects.get(name="messeliste").columns
    assert admin_client.post(f"/import/{job.pk}/start").status_code == 302
    for _ in range(200):
        progress = admin_client.get(f"/import/{job.pk}/progress").json()
        if progress["status"] == "done":
            break
        time.sleep(0.05)
    assert progress["status"] == "done" and progress["created"] == 3 and progress["progress"] == 1
    assert Person.objects.count() == 3
    assert admin_client.get(f"/import/{job.pk}/").status_code == 200
    errors = admin_client.get(f"/import/{job.pk}/errors.csv")
    assert errors.status_code == 200 and b"".join(errors.streaming_content).startswith(b"line,")


def test_upload_without_file_shows_errors(admin_client):
    res = admin_client.post("/import/new", {"source": "", "entity": "persons"})
    assert res.status_code == 400


@pytest.mark.parametrize("path", ["/import/", "/import/new", "/import/sources"])
def test_pages_refuse_users_without_permission(client, make_user, path):
    res = client.get(path)  # not signed in: sent to sign in first
    assert res.status_code == 302 and res["Location"].startswith("/login/?next=")
    client.force_login(make_user("sam", "sales"))
    assert client.get(path).status_code == 403


def test_sources_page_shows_a_new_key_once(admin_client):
    from kundebase.ingest.models import Source, key_digest

    res = admin_client.post("/import/sources", {"name": "nettbutikk"})
    key = re.search(r'id="write-key">([^<]+)<', res.content.decode()).group(1)
    assert Source.objects.get().key_digest == key_digest(key)
    assert key not in admin_client.get("/import/sources").content.decode()


def test_cli_sources_add_prints_a_working_key():
    from kundebase.ingest.events import sources_with_key

    out = StringIO()
    call_command("sources", "add", "pos", stdout=out)
    key = out.getvalue().strip()
    assert sources_with_key(key).name == "pos"
    with pytest.raises(Exception, match="exists"):
        call_command("sources", "add", "pos", stdout=StringIO())


def test_cli_import_dry_run_and_error_file(tmp_path, settings):
    from kundebase.parties.models import Person

    settings.KUNDEBASE_DATA_DIR = tmp_path
    out = StringIO()
    call_command("import", str(DATA / "persons_en_bad_rows.csv"), "--source", "crm", "--dry-run", stdout=out)
    assert '"created": 2' in out.getvalue() and Person.objects.count() == 0
    errors = tmp_path / "errors.csv"
    out = StringIO()
    call_command("import", str(DATA / "persons_en_bad_rows.csv"), "--source", "crm", "--errors", str(errors),
                 "--no-progress", stdout=out, stderr=StringIO())
    assert "2 new" in out.getvalue() and "4 errors" in out.getvalue()
    assert len(errors.read_text().splitlines()) == 5


def test_cli_refuses_a_missing_file():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("import", "/nonexistent.csv", "--source", "crm")


def test_provenance_route_and_snippet(api, run_import, tmp_path):
    from django.template.loader import render_to_string

    from kundebase.ingest import survivorship
    from kundebase.parties.models import Person

    run_import("persons_nb_semicolon_utf8.csv", source="shop")
    kari = Person.objects.get(family_name="Nordmann")
    res = api.get(f"/api/v1/provenance/person/{kari.pk}")
    assert res.status_code == 200
    fields = {f["field"]: f for f in res.json()}
    assert fields["birth_date"]["values"][0]["source"] == "shop"
    assert fields["email"]["shown"] == "kari.nordmann@example.no"
    assert api.get("/api/v1/provenance/person/999999").status_code == 404
    html = render_to_string("ingest/provenance.html", {"provenance": survivorship.provenance("person", kari.pk)})
    assert "shop" in html and "1980-12-31" in html


def test_recompute_applies_a_changed_policy(run_import, tmp_path):
    from kundebase.ingest import survivorship
    from kundebase.ingest.models import Source
    from kundebase.parties.models import Person

    run_import("persons_nb_semicolon_utf8.csv", source="shop")
    other = tmp_path / "o.csv"
    other.write_text("email,first name,last name\nkari.nordmann@example.no,Karianne,Nordmann\n")
    Source.objects.create(name="weak", priority=10)
    run_import(other, source="weak")
    kari = Person.objects.get(family_name="Nordmann")
    assert kari.given_name == "Kari"
    Source.objects.filter(name="weak").update(priority=95)
    assert survivorship.recompute(party_id=kari.pk) == {"given_name": "Karianne"}
    kari.refresh_from_db()
    assert kari.given_name == "Karianne"


def test_import_progress_route_and_schema(api, run_import):
    job = run_import("persons_da_comma_bom.csv")
    res = api.get(f"/api/v1/imports/{job.pk}")
    assert res.status_code == 200 and res.json()["created"] == 2 and res.json()["status"] == "done"
    assert api.get("/api/v1/imports/999999").status_code == 404
    paths = api.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/provenance/{entity}/{record_id}" in paths and "/api/v1/imports/{job_id}" in paths


def test_routes_refuse_roles_without_permission(api_as, run_import):
    job = run_import("persons_da_comma_bom.csv")
    analyst = api_as("marketing")
    assert analyst.get(f"/api/v1/imports/{job.pk}").status_code == 403
