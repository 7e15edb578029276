"""Datasets: file ingest (French conventions), the query engine, and its cache.

This layer knows nothing of users, Flask or Dash; it imports `studio.spec` only.
"""

from studio.datasources.cache import MemoryBackend, QueryCache, RedisBackend, make_cache
from studio.datasources.engine import ParquetSource, SqlSource, inspect_sql_table, run_query
from studio.datasources.errors import DatasetError
from studio.datasources.ingest import ingest
from studio.datasources.models import ColumnStats, IngestOptions, IngestResult, ParseProblem
from studio.datasources.schema import (
    FieldInfo,
    SchemaDiff,
    compare_schemas,
    fields_from_json,
    fields_to_json,
)

__all__ = [
    "ColumnStats",
    "DatasetError",
    "FieldInfo",
    "IngestOptions",
    "IngestResult",
    "MemoryBackend",
    "ParquetSource",
    "ParseProblem",
    "QueryCache",
    "RedisBackend",
    "SchemaDiff",
    "SqlSource",
    "compare_schemas",
    "fields_from_json",
    "fields_to_json",
    "ingest",
    "inspect_sql_table",
    "make_cache",
    "run_query",
]
