"""``python -m kundebase`` runs the console script."""

from kundebase.cli import main

raise SystemExit(main())
