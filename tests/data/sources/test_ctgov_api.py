"""The live CT.gov client against a loopback server: paging, retries, rate limit, resume."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from tests.data.sources.ctgov_server import RecordedApi, recorded_pages, serve_recorded_api
from tests.data.sources.study_json import make_study

from trialscope.data.sources.ctgov_api import (
    CtgovApiClient,
    CtgovApiError,
    CtgovQuery,
    HarvestCheckpoint,
    harvest,
)
from trialscope.data.store import TrialStore

STUDIES = [make_study(f"NCT{i:08d}") for i in range(1, 8)]


def _client(base_url: str, sleeps: list[float] | None = None, **kwargs: float) -> CtgovApiClient:
    recorder = sleeps if sleeps is not None else []
    return CtgovApiClient(
        base_url,
        requests_per_second=kwargs.pop("requests_per_second", 0),
        backoff_seconds=0.5,
        sleep=recorder.append,
        **kwargs,  # type: ignore[arg-type]
    )


def test_harvest_follows_page_tokens_into_the_store(tmp_path: Path) -> None:
    api = RecordedApi(recorded_pages(STUDIES, page_size=3))
    query = CtgovQuery(term="diabetes", statuses=("COMPLETED", "TERMINATED"), page_size=3)
    with (
        serve_recorded_api(api),
        _client(api.base_url) as client,
        TrialStore(tmp_path / "s.duckdb") as store,
    ):
        result = harvest(client, query, store.ingest_ctgov_studies)
        assert store.count("studies") == 7
    assert result.pages_fetched == 3
    assert result.total_count == 7
    assert result.report.inserted == 7
    assert result.checkpoint.finished
    first, second, third = api.requests
    assert first["query.term"] == "diabetes"
    assert first["filter.overallStatus"] == "COMPLETED,TERMINATED"
    assert first["pageSize"] == "3"
    assert first["countTotal"] == "true" and "pageToken" not in first
    assert second["pageToken"] == "tok1" and "countTotal" not in second
    assert third["pageToken"] == "tok2"


def test_429_and_5xx_are_retried_with_backoff_and_retry_after() -> None:
    api = RecordedApi(
        recorded_pages(STUDIES, page_size=10),
        failures=[(429, {"Retry-After": "7"}), (503, {})],
    )
    sleeps: list[float] = []
    with serve_recorded_api(api), _client(api.base_url, sleeps) as client:
        page = client.fetch_page(CtgovQuery())
    assert len(page.studies) == 7
    assert len(api.requests) == 3
    assert client.retries == 2
    # Retry-After wins for the 429; the 503 backs off exponentially (0.5 * 2**1).
    assert sleeps == [7.0, 1.0]


def test_retries_run_out_with_a_clear_error() -> None:
    api = RecordedApi(recorded_pages(STUDIES, page_size=10), failures=[(503, {})] * 3)
    with (
        serve_recorded_api(api),
        _client(api.base_url, max_retries=2) as client,
        pytest.raises(CtgovApiError, match="failed after 3 attempts: HTTP 503"),
    ):
        client.fetch_page(CtgovQuery())


def test_client_errors_are_not_retried() -> None:
    api = RecordedApi(recorded_pages(STUDIES, page_size=10), failures=[(400, {})])
    with (
        serve_recorded_api(api),
        _client(api.base_url) as client,
        pytest.raises(CtgovApiError, match="returned 400"),
    ):
        client.fetch_page(CtgovQuery())
    assert len(api.requests) == 1


def test_rate_limit_spaces_requests() -> None:
    api = RecordedApi(recorded_pages(STUDIES, page_size=10))
    sleeps: list[float] = []
    with serve_recorded_api(api), _client(api.base_url, sleeps, requests_per_second=0.5) as client:
        client.fetch_page(CtgovQuery())
        client.fetch_page(CtgovQuery())
    assert len(sleeps) == 1
    assert 0 < sleeps[0] <= 2.0


def test_interrupted_harvest_resumes_from_its_checkpoint(tmp_path: Path) -> None:
    api = RecordedApi(recorded_pages(STUDIES, page_size=2))
    query = CtgovQuery(condition="asthma", page_size=2)
    checkpoint = tmp_path / "harvest.json"
    with serve_recorded_api(api), TrialStore(tmp_path / "s.duckdb") as store:
        with _client(api.base_url) as client:
            first = harvest(
                client, query, store.ingest_ctgov_studies, checkpoint_path=checkpoint, max_pages=2
            )
        assert not first.checkpoint.finished
        saved = json.loads(checkpoint.read_text())
        assert saved["next_page_token"] == "tok2" and saved["pages_done"] == 2
        assert store.count("studies") == 4
        with _client(api.base_url) as client:
            rest = harvest(client, query, store.ingest_ctgov_studies, checkpoint_path=checkpoint)
        assert rest.pages_fetched == 2
        assert store.count("studies") == 7
        with _client(api.base_url) as client:
            again = harvest(client, query, store.ingest_ctgov_studies, checkpoint_path=checkpoint)
        assert again.pages_fetched == 0 and again.notes
    assert [r.get("pageToken") for r in api.requests] == [None, "tok1", "tok2", "tok3"]
    assert HarvestCheckpoint.load(checkpoint, query).finished


def test_checkpoint_for_another_query_is_refused(tmp_path: Path) -> None:
    checkpoint = tmp_path / "harvest.json"
    HarvestCheckpoint(query=CtgovQuery(term="a").params(), next_page_token="x").save(checkpoint)
    with pytest.raises(ValueError, match="checkpoint is for query"):
        HarvestCheckpoint.load(checkpoint, CtgovQuery(term="b"))


def test_query_parameters() -> None:
    params = CtgovQuery(submitted_after=dt.date(2024, 1, 1), page_size=1000).params()
    assert params["filter.advanced"] == "AREA[StudyFirstSubmitDate]RANGE[2024-01-01,MAX]"
    assert params["pageSize"] == "1000"
    with pytest.raises(ValueError, match="page_size"):
        CtgovQuery(page_size=1001).params()


def test_a_page_that_is_not_json_is_an_error() -> None:
    api = RecordedApi({None: {"studies": "not a list"}})
    with (
        serve_recorded_api(api),
        _client(api.base_url) as client,
        pytest.raises(CtgovApiError, match="not a page of studies"),
    ):
        client.fetch_page(CtgovQuery())
