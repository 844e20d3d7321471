from __future__ import annotations

from reader.cli import main

raise SystemExit(main())
