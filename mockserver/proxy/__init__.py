"""Let reality correct the contract: the validating proxy, its drift report, recordings.

``callr-mock proxy --upstream URL`` forwards every ``/v2.0`` request unchanged to the real
API and answers with the real answer, unchanged, while checking both against the same
compiled contract as the sandbox (``callr_mock.contract.compiled``). The rules live in modules that
import no Flask:

- ``drift``: which operation an exchange is, what in it disagrees with the spec (findings
  with the provenance of the spec element involved), and the report that counts them;
- ``legacy_drift``: the legacy endpoint's drift, against a private shadow sandbox;
- ``scrubber``: what of an exchange is secret (credentials, secret-named body fields),
  on the rules of ``base/redaction.py``;
- ``encodings``: content decoding (gzip, deflate, br) for the checks;
- ``recording``: one JSON file per exchange (redacted), read back by ``callr-mock drift``;
- ``upstream``: the HTTP client to the real API (no retries, no redirects followed);
- ``app``: the WSGI application (thin); ``ProxyServer`` runs it on waitress, like
  ``serve`` (``running/proxy_server.py``).
"""
