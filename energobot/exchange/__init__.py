"""File exchange with the billing system: accounts, meters, history and tariffs in; readings out.

Formats: CSV (header row, UTF-8 with or without BOM, comma, dot decimals) or JSON Lines with the
same field names. An import validates every row and writes nothing unless all are valid.
"""

from energobot.exchange.demo import DEMO_FILES, DemoDataError, import_demo, load_demo
from energobot.exchange.errors import ExchangeError, RowError
from energobot.exchange.exporter import READING_COLUMNS, export_readings
from energobot.exchange.importer import ImportReport, Kind, import_bytes, import_file
from energobot.exchange.readers import Format, resolve_format

__all__ = [
    "DEMO_FILES",
    "READING_COLUMNS",
    "DemoDataError",
    "ExchangeError",
    "Format",
    "ImportReport",
    "Kind",
    "RowError",
    "export_readings",
    "import_bytes",
    "import_demo",
    "import_file",
    "load_demo",
    "resolve_format",
]
