"""The three doors (the Callr API ``rest``, the legacy endpoint ``legacy``, the control API ``control/``) and the reference page."""
