"""DuckDB analytics, key figures, reports and text intelligence."""
