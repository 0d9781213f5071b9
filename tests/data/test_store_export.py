"""`trialscope data export --format parquet` and `data import`: an exact round trip."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from trialscope.cli.main import app
from trialscope.data.store import TrialStore
from trialscope.errors import InputError, UserError

runner = CliRunner()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def exported(synthetic_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "parquet"
    invoke("data", "export", "--store", str(synthetic_store), "--out", str(out))
    return out


@pytest.fixture(scope="module")
def reimported(exported: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("reimport") / "trials.duckdb"
    invoke("data", "import", str(exported), "--store", str(store))
    return store


def test_stats_are_identical_after_the_round_trip(synthetic_store: Path, reimported: Path) -> None:
    before = json.loads(invoke("data", "stats", "--store", str(synthetic_store), "--json"))
    after = json.loads(invoke("data", "stats", "--store", str(reimported), "--json"))
    assert before == after
    assert before["tables"]["studies"] == 2500


def test_every_table_holds_the_same_rows(synthetic_store: Path, reimported: Path) -> None:
    with TrialStore(synthetic_store, read_only=True) as a, TrialStore(reimported) as b:
        tables = sorted(a._column_types)
        assert tables == sorted(b._column_types)
    con = duckdb.connect()
    con.execute(f"ATTACH '{synthetic_store}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{reimported}' AS b (READ_ONLY)")
    for table in tables:
        for left, right in (("a", "b"), ("b", "a")):
            (extra,) = con.execute(
                f"SELECT count(*) FROM (SELECT * FROM {left}.{table} "
                f"EXCEPT ALL SELECT * FROM {right}.{table})"
            ).fetchone() or (None,)
            assert extra == 0, (table, left, right)


def test_builder_output_is_byte_identical(
    synthetic_store: Path, reimported: Path, tmp_path: Path
) -> None:
    options = ["--train-size", "40", "--test-size", "20", "--review-train-size", "10",
               "--review-test-size", "5", "--seed", "4"]  # fmt: skip
    invoke("data", "build", "--store", str(synthetic_store), "--out", str(tmp_path / "a"), *options)
    invoke("data", "build", "--store", str(reimported), "--out", str(tmp_path / "b"), *options)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.jsonl"))
    assert files
    for file in files:
        assert (tmp_path / "b" / file).read_bytes() == (tmp_path / "a" / file).read_bytes(), file


def test_study_tables_are_hive_partitioned_by_registration_year(exported: Path) -> None:
    years = sorted(p.name for p in (exported / "studies").iterdir())
    assert years and all(name.startswith("registration_year=") for name in years)
    con = duckdb.connect()
    rows = con.execute(
        "SELECT registration_year, count(*) FROM read_parquet(?, hive_partitioning = true) "
        "GROUP BY ALL",
        [str(exported / "studies" / "**" / "*.parquet")],
    ).fetchall()
    assert sum(n for _, n in rows) == 2500
    mismatched = con.execute(
        "SELECT count(*) FROM read_parquet(?, hive_partitioning = true) "
        "WHERE registration_year IS DISTINCT FROM year(first_submitted)",
        [str(exported / "studies" / "**" / "*.parquet")],
    ).fetchone()
    assert mismatched == (0,)
    assert (exported / "publications" / "data_0.parquet").is_file()


def test_an_export_folder_that_is_not_empty_is_refused(
    synthetic_store: Path, exported: Path
) -> None:
    with TrialStore(synthetic_store, read_only=True) as store, pytest.raises(UserError):
        store.export_parquet(exported)


def test_import_into_a_store_with_rows_is_refused(synthetic_store: Path, exported: Path) -> None:
    result = runner.invoke(app, ["data", "import", str(exported), "--store", str(synthetic_store)])
    assert isinstance(result.exception, UserError)
    assert "already holds rows" in str(result.exception)


def test_a_damaged_export_is_an_error_naming_the_file(exported: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    manifest = json.loads((exported / "_export.json").read_text("utf-8"))
    manifest["tables"]["studies"]["rows"] += 1
    for table in manifest["tables"]:
        (damaged / table).symlink_to(exported / table)
    (damaged / "_export.json").write_text(json.dumps(manifest), "utf-8")
    with TrialStore(tmp_path / "new.duckdb") as store:
        with pytest.raises(InputError, match="studies"):
            store.import_parquet_export(damaged)
        assert store.count("studies") == 0  # nothing half-imported
    (damaged / "_export.json").write_text("{not json", "utf-8")
    with TrialStore(tmp_path / "new2.duckdb") as store, pytest.raises(InputError, match="_export"):
        store.import_parquet_export(damaged)
    with TrialStore(tmp_path / "new3.duckdb") as store, pytest.raises(InputError, match="no _exp"):
        store.import_parquet_export(tmp_path)


def test_arrow_datasets_read_the_export_as_spark_and_ray_data_do(exported: Path) -> None:
    """Spark and Ray Data read hive-partitioned parquet folders; pyarrow.dataset is Ray Data's
    reader, so reading every table through it proves the layout needs no options."""
    import pyarrow.dataset as ds

    manifest = json.loads((exported / "_export.json").read_text("utf-8"))
    for table, info in manifest["tables"].items():
        dataset = ds.dataset(exported / table, format="parquet", partitioning="hive")
        assert dataset.count_rows() == info["rows"], table
        columns = [name for name, _ in info["columns"]]
        expected = [*columns, "registration_year"] if info["partitioned_by"] else columns
        assert dataset.schema.names == expected, table
