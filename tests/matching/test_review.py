"""Runs over the database, the review queue (API and page), accept and reject, automatic merges."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from kundebase.matching import services
from kundebase.matching.models import MatchJob, MatchModel, MatchSettings, ReviewPair
from kundebase.parties.models import Party
from tests.matching.helpers import person

pytestmark = pytest.mark.django_db


def _population() -> list[Any]:
    made = [
        person("Kari", "Nordmann", born="1980-12-31", email="kari@example.no", street="Storgata 1", postcode="0155"),
        person("Kari", "Nordman", born="1980-12-31", phone="+47 412 34 567", street="Storgt. 1", postcode="0155"),
        person("Jürgen", "Müller", born="1966-04-02", email="j.mueller@example.de", country="DE", street="Hauptstr. 5",
               postcode="10115"),
        person("Juergen", "Mueller", born="1966-04-02", email="j.mueller@example.de", country="DE",
               street="Hauptstraße 5", postcode="10115"),
    ]
    made += [person(f"Navn{i}", f"Etter{i}", born=f"19{40 + i}-0{1 + i % 9}-1{i % 9}", postcode=f"0{100 + i}",
                    street=f"Veien {i}") for i in range(56)]
    return made


def test_full_run_queues_uncertain_pairs_ordered_by_benefit_and_trains_a_model() -> None:
    people = _population()
    job = services.run_job(services.start_job("full"))
    assert job.status == MatchJob.Status.DONE and job.progress == 1.0
    assert MatchModel.objects.filter(kind="person").exists()
    queue = services.review_queue()
    pairs = {(p.left_id, p.right_id) for p in queue}
    assert (people[0].pk, people[1].pk) in pairs
    assert (people[2].pk, people[3].pk) in pairs
    benefits = [p.benefit for p in queue]
    assert benefits == sorted(benefits, reverse=True)
    evidence = {e["field"]: e for e in queue[0].evidence}
    assert evidence["birth_date"]["weight"] > 0 and evidence["birth_date"]["level"] == "same birth date"


def test_review_api_accept_and_reject_is_remembered(api: Any) -> None:
    people = _population()
    services.run_job(services.start_job("full"))
    body = api.get("/api/v1/matching/review").json()
    assert body["items"], body
    first, second = body["items"][0], body["items"][1]
    assert {"field", "level", "weight", "left", "right"} <= set(first["evidence"][0])
    rejected = api.post(f"/api/v1/matching/review/{first['id']}/reject")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    again = api.post(f"/api/v1/matching/review/{first['id']}/reject")
    assert again.status_code == 409
    accepted = api.post(f"/api/v1/matching/review/{second['id']}/accept", {})
    assert accepted.status_code == 200, accepted.content
    merged_id = accepted.json()["merged_id"]
    assert Party.objects.get(pk=merged_id).merged_into_id == accepted.json()["survivor_id"]
    # the next run does not bring the rejected pair back
    services.run_job(services.start_job("full"))
    assert ReviewPair.objects.get(pk=first["id"]).status == ReviewPair.Status.REJECTED
    ids = [p["id"] for p in api.get("/api/v1/matching/review").json()["items"]]
    assert first["id"] not in ids
    undo = api.post(f"/api/v1/matching/merges/{accepted.json()['id']}/unmerge")
    assert undo.status_code == 200 and undo.json()["unmerged_at"]
    assert Party.objects.get(pk=merged_id).merged_into_id is None
    assert len(people) == 60


def test_review_api_refuses_roles_without_permission(api_as: Any) -> None:
    _population()
    services.run_job(services.start_job("full"))
    pair = ReviewPair.objects.first()
    marketing = api_as("marketing")
    assert marketing.get("/api/v1/matching/review").status_code == 403
    sales = api_as("sales")
    assert sales.get("/api/v1/matching/review").status_code == 200
    assert sales.post(f"/api/v1/matching/review/{pair.pk}/accept", {}).status_code == 403
    assert api_as("administrator").post("/api/v1/matching/review/999999/reject").status_code == 404


def test_auto_merge_only_where_the_administrator_allows_it() -> None:
    people = _population()
    services.run_job(services.start_job("full"))
    assert Party.objects.filter(merged_into__isnull=False).count() == 0
    settings = MatchSettings.current()
    settings.auto_merge, settings.auto_merge_threshold = True, 0.99
    settings.save()
    ReviewPair.objects.all().delete()
    services.run_job(services.start_job("full"))
    merged = Party.objects.filter(merged_into__isnull=False)
    assert merged.count() >= 1
    assert {people[3].pk} & set(merged.values_list("pk", flat=True))


def test_incremental_run_scores_new_customers_against_everyone() -> None:
    _population()
    services.run_job(services.start_job("full"))
    ReviewPair.objects.all().delete()
    newcomer = person("Kari", "Nordmann", born="1980-12-31", email="kari@example.no", postcode="0155")
    job = services.run_job(services.start_job("incremental"))
    assert job.stats["person"]["records"] >= 1
    assert ReviewPair.objects.filter(right_id=newcomer.pk).exists() or ReviewPair.objects.filter(
        left_id=newcomer.pk).exists()


def test_a_second_run_is_refused_while_one_runs() -> None:
    MatchJob.objects.create(mode="full", status=MatchJob.Status.RUNNING)
    with pytest.raises(Exception, match="already running"):
        services.start_job("full")


def test_cli_run_and_review_page(client: Any, make_user: Any, capsys: Any) -> None:
    _population()
    call_command("match", "run", "--full")
    assert "run" in capsys.readouterr().out
    anonymous = client.get("/matching/review")  # not signed in: sent to sign in first
    assert anonymous.status_code == 302 and anonymous["Location"] == "/login/?next=/matching/review"
    client.force_login(make_user("analyst1", "analyst"))
    assert client.get("/matching/review").status_code == 403
    client.force_login(make_user("admin1", "administrator"))
    page = client.get("/matching/review")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kari" in html and "same birth date" in html and 'class="weight"' in html
    pair = services.review_queue()[0]
    response = client.post(f"/matching/review/{pair.pk}/reject")
    assert response.status_code == 302
    assert ReviewPair.objects.get(pk=pair.pk).status == ReviewPair.Status.REJECTED
