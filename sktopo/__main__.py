"""``python -m sktopo``: the ``sktopo`` command."""

from .cli import main

raise SystemExit(main())
