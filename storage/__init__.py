"""Storage: SQLAlchemy tables, the repositories behind core.ports, migrations."""

from storage.database import Database
from storage.store import SqlStore

__all__ = ["Database", "SqlStore"]
