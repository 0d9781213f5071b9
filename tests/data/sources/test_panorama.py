"""TrialPanorama parquet import, on parquet files the test writes with DuckDB COPY."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from trialscope.data.builders import BuildOptions, build_benchmark
from trialscope.data.builders.completion import FOLDER as COMPLETION
from trialscope.data.sources.panorama import (
    import_panorama,
    plan_panorama,
    resolve_root,
    table_files,
)
from trialscope.data.store import TrialStore
from trialscope.errors import InputError


def _copy(path: Path, sql: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(f"COPY ({sql}) TO '{path}' (FORMAT parquet)")


def _write_database(root: Path) -> None:
    """A small release with the real file names: part files, and all eleven tables."""
    studies = """SELECT * FROM (VALUES {rows})
        t(study_id, study_source, brief_title, abstract, study_type, phase,
          recruitment_status, start_year, enrollment, sponsor_type)"""
    _copy(
        root / "studies.parquet",
        studies.format(
            rows="""('NCT00000001', 'ClinicalTrials.gov', 'Budesonide in asthma',
             'Inhaled steroid.',
             'INTERVENTIONAL', 'PHASE2/PHASE3', 'COMPLETED', 2015, 120, 'INDUSTRY'),
            (NULL, 'CHICTR', 'No id', NULL, NULL, NULL, NULL, NULL, NULL, NULL)"""
        ),
    )
    _copy(
        root / "studies_part_2.parquet",
        studies.format(
            rows="""('EUCTR2011-01', 'EUCTR', 'Chemo in lung cancer', NULL,
             'INTERVENTIONAL', 'PHASE1', 'TERMINATED', 2011, NULL, 'UNIVERSITY')"""
        ),
    )
    _copy(
        root / "conditions.parquet",
        """SELECT * FROM (VALUES ('NCT00000001', 'Asthma', 'D001249'),
            ('NCT00000001', 'Wheezing', NULL)) t(study_id, condition_name, condition_mesh_id)""",
    )
    _copy(
        root / "conditions_part_2.parquet",
        """SELECT * FROM (VALUES ('EUCTR2011-01', 'Lung Neoplasms', 'D008175'))
        t(study_id, condition_name, condition_mesh_id)""",
    )
    _copy(
        root / "drugs.parquet",
        """SELECT * FROM (VALUES ('NCT00000001', 'budesonide', 'DB01222', 'budesonide'))
        t(study_id, drug_name, drugbank_id, rx_normalized_name)""",
    )
    _copy(
        root / "drugs_part_2.parquet",
        """SELECT * FROM (VALUES ('EUCTR2011-01', 'cisplatin', 'DB00515', 'cisplatin'))
        t(study_id, drug_name, drugbank_id, rx_normalized_name)""",
    )
    _copy(
        root / "drug_moa.parquet",
        "SELECT * FROM (VALUES ('DB01222', 'glucocorticoid')) t(drug_moa_id, moa)",
    )
    _copy(
        root / "endpoints.parquet",
        """SELECT * FROM (VALUES ('NCT00000001', 'primary', 'FEV1 change', 'Week 12'),
            ('NCT00000001', 'Secondary outcome', 'Exacerbations', '1 year'))
        t(study_id, endpoint_type, primary_endpoint, time_frame)""",
    )
    _copy(
        root / "outcomes.parquet",
        """SELECT * FROM (VALUES ('NCT00000001', 'COMPLETED', NULL),
            ('EUCTR2011-01', 'TERMINATED', 'Sponsor decision: strategic business reasons'))
        t(study_id, overall_status, why_terminated)""",
    )
    _copy(
        root / "disposition.parquet",
        """SELECT * FROM (VALUES ('NCT00000001', 'Budesonide', 'STARTED', 60),
            ('NCT00000001', 'Budesonide', 'COMPLETED', 55))
        t(study_id, group_title, milestone, count)""",
    )
    for name in ("adverse_events", "results", "biomarkers", "relations"):
        _copy(root / f"{name}.parquet", "SELECT 'NCT00000001' AS study_id, 1 AS value")


def test_tables_are_found_by_name_with_their_part_files(tmp_path: Path) -> None:
    _write_database(tmp_path)
    assert [Path(f).name for f in table_files(tmp_path, "drugs")] == [
        "drugs.parquet",
        "drugs_part_2.parquet",
    ]
    assert [Path(f).name for f in table_files(tmp_path, "drug_moa")] == ["drug_moa.parquet"]
    assert [Path(f).name for f in table_files(tmp_path, "studies")] == [
        "studies.parquet",
        "studies_part_2.parquet",
    ]


def test_import_reads_every_part_and_every_table(tmp_path: Path) -> None:
    _write_database(tmp_path / "db")
    with TrialStore(tmp_path / "s.duckdb") as store:
        reports = {r.source: r for r in import_panorama(store, tmp_path / "db")}
        assert len(reports) == 11
        studies = reports["panorama:studies"]
        assert (studies.seen, studies.inserted, studies.failed) == (3, 2, 1)
        assert "study_id" in studies.failures[0].reason
        counts = {
            t: store.count(t)
            for t in ("studies", "conditions", "interventions", "outcomes", "result_flow")
        }
        assert counts == {
            "studies": 2, "conditions": 3, "interventions": 2, "outcomes": 2, "result_flow": 2
        }  # fmt: skip
        for name in ("adverse_events", "results", "biomarkers", "relations", "drug_moa"):
            assert store._con.execute(f"SELECT count(*) FROM panorama_{name}").fetchone() == (1,)

        again = {r.source: r for r in import_panorama(store, tmp_path / "db")}
        assert again["panorama:studies"].updated == 2
        assert {t: store.count(t) for t in counts} == counts

        record = store.get_study("NCT00000001")
        stopped = store.get_study("EUCTR2011-01")
    assert record is not None and stopped is not None
    assert record["source"] == "ClinicalTrials.gov" and record["summary"] == "Inhaled steroid."
    assert record["phases"] == ["PHASE2", "PHASE3"] and record["status"] == "COMPLETED"
    assert stopped["status"] == "TERMINATED"
    assert stopped["why_stopped"] == "Sponsor decision: strategic business reasons"
    assert record["start_date"] == dt.date(2015, 1, 1)
    assert record["enrollment"] == 120 and record["sponsor_class"] == "INDUSTRY"
    assert [(c["name"], c["mesh_id"]) for c in record["conditions"]] == [
        ("Asthma", "D001249"),
        ("Wheezing", None),
    ]
    assert record["interventions"][0]["drugbank_id"] == "DB01222"
    assert [(o["kind"], o["measure"]) for o in record["outcomes"]] == [
        ("primary", "FEV1 change"),
        ("secondary", "Exacerbations"),
    ]


def test_a_parquet_file_of_no_table_is_an_error_not_a_skip(tmp_path: Path) -> None:
    _write_database(tmp_path / "db")
    _copy(tmp_path / "db" / "trial_notes.parquet", "SELECT 1 AS x")
    with (
        TrialStore(tmp_path / "s.duckdb") as store,
        pytest.raises(InputError, match=r"trial_notes\.parquet: parquet file of no TrialPanorama"),
    ):
        import_panorama(store, tmp_path / "db")


def test_the_plan_names_each_column_source(tmp_path: Path) -> None:
    _write_database(tmp_path / "db")
    plans = {plan.mapping.source: plan for plan in plan_panorama(tmp_path / "db")}
    assert plans["studies"].sources["summary"] == "abstract"
    assert plans["studies"].sources["official_title"] is None
    assert plans["endpoints"].sources["measure"] == "primary_endpoint"
    assert plans["outcomes"].sources["why_stopped"] == "why_terminated"
    assert len(plans["studies"].files) == 2


def test_selected_tables_only(tmp_path: Path) -> None:
    _write_database(tmp_path / "db")
    with TrialStore(tmp_path / "s.duckdb") as store:
        reports = import_panorama(store, tmp_path / "db", tables=("studies",))
        assert [r.source for r in reports] == ["panorama:studies"]
        assert store.count("conditions") == 0


def test_a_table_without_study_ids_is_a_clear_error(tmp_path: Path) -> None:
    _copy(tmp_path / "db" / "studies.parquet", "SELECT 'x' AS title")
    with (
        TrialStore(tmp_path / "s.duckdb") as store,
        pytest.raises(InputError, match="no study id column"),
    ):
        import_panorama(store, tmp_path / "db")


def test_a_folder_without_tables_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with (
        TrialStore(tmp_path / "s.duckdb") as store,
        pytest.raises(InputError, match="no TrialPanorama parquet tables"),
    ):
        import_panorama(store, tmp_path / "empty")


def test_roots_resolve_locally_or_through_the_hub_downloader(tmp_path: Path) -> None:
    assert resolve_root(str(tmp_path)) == tmp_path
    with pytest.raises(InputError, match="not a directory"):
        resolve_root(str(tmp_path / "missing"))
    asked: list[str] = []

    def download(repo_id: str) -> Path:
        asked.append(repo_id)
        return tmp_path

    root = resolve_root("hf://datasets/TrialPanorama/TrialPanorama-database", download=download)
    assert root == tmp_path and asked == ["TrialPanorama/TrialPanorama-database"]


def test_a_time_split_build_from_panorama_has_items_and_termination_reasons(
    tmp_path: Path,
) -> None:
    _write_database(tmp_path / "db")
    with TrialStore(tmp_path / "s.duckdb") as store:
        import_panorama(store, tmp_path / "db")
        options = BuildOptions(train_size=5, test_size=5, registered_after=dt.date(2013, 1, 1))
        build_benchmark(store, tmp_path / "bench", options)
    folder = tmp_path / "bench" / COMPLETION
    test = [json.loads(line) for line in (folder / "test.jsonl").read_text().splitlines()]
    train = [json.loads(line) for line in (folder / "train.jsonl").read_text().splitlines()]
    assert [r["metadata"]["study_nctid"] for r in test] == ["NCT00000001"]
    assert [r["labels"]["terminate_type"] for r in train] == ["feasibility"]
