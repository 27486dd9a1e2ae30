"""The embedded SQLite database's settings, as every connection gets them."""

from context_service.db import make_engine


def test_each_sqlite_connection_is_wal_with_normal_sync_and_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'cc.db'}")
    try:
        with engine.connect() as conn:
            pragma = conn.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA synchronous").scalar() == 1  # NORMAL: no flush per commit
            assert pragma("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
