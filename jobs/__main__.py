"""``python -m jobs <command>``: see ``jobs.cli``."""

from jobs.cli import main

raise SystemExit(main())
