"""``python -m callr_mock`` is ``callr-mock``."""

try:
    from .running.cli import main
except KeyboardInterrupt:  # Ctrl-C before the command even started: no traceback
    raise SystemExit(130) from None

raise SystemExit(main())
