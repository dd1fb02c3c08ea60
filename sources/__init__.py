"""Predictions evaluated where they live: admin-configured sources (DuckDB over Parquet/CSV,
PostgreSQL, Spark) queried through Ibis, returning the in-memory analysis's result objects.

`config` reads the sources from secrets.toml and checks what a user may ask (a source by
name, a table or a read-only query); `adapter` holds every backend-specific line; `labels`
reads the label columns' classes and the positive class; `pushdown` computes per-split
errors, threshold metrics, score curves, calibration and samples as engine aggregates;
`breakdowns` the metrics from predicted labels, per slice, the weighted error and the
multiclass confusion matrix; `slices` the error-slice search; `run` times a computation and
stops it on the engine when cancelled.
"""
