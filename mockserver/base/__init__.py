"""The base layer: wire constants, settings, the journal, the Callr error shapes; the standard library only."""
