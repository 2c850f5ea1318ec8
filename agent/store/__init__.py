"""The session store: every conversation and turn in one SQLite file, recorded as it happens,
read back for logs and resumed history, and exported as (or imported from) training data.

- `database`: `Store`, opening the file and writing/reading it (`Store.open(path)`);
- `schema`: its tables and upgrades; `rows`: the typed rows its readers get back;
- `record`: `Recorder`, which records a session by consuming its event stream;
- `export`: conversations out as MOSS SFT, ShareGPT or Alpaca, and MOSS/ShareGPT back in.

Public API: `Store`, `StoreError`, `Recorder`, `ConversationInfo`, `StoredTurn`, `FINISHED`,
`default_data_dir`, `default_db_path`, and the export functions (`export_records`,
`session_records`, `write_export`, `dumps`, `read_import`, `import_into`).
"""

from __future__ import annotations

from agent.errors import StoreError
from agent.store.database import Store, default_data_dir, default_db_path
from agent.store.export import (
    dumps,
    export_records,
    import_into,
    read_import,
    session_records,
    write_export,
)
from agent.store.record import Recorder
from agent.store.rows import FINISHED, ConversationInfo, StoredTurn

__all__ = [
    "FINISHED",
    "ConversationInfo",
    "Recorder",
    "Store",
    "StoreError",
    "StoredTurn",
    "default_data_dir",
    "default_db_path",
    "dumps",
    "export_records",
    "import_into",
    "read_import",
    "session_records",
    "write_export",
]
