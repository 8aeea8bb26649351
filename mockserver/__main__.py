"""``python -m callr_mock`` is ``callr-mock``."""

from callr_mock.cli import main

raise SystemExit(main())
