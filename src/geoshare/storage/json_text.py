"""The JSON text geoshare stores in its JSON columns (tags, type keywords, categories, settings).

Characters outside ASCII are written as themselves, never as `\\u` escapes: the full-text indexes
and the LIKE filters read the stored text, and `["na\\u00efve"]` would hide the word `naïve` from
both (migration 0017 rewrote the rows stored before).
"""

from __future__ import annotations

import json
from typing import Any


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
