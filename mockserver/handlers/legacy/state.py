"""What only the legacy API knows: apps of the packages REST v2 dropped, and their numbers.

The migration guide says REST v2 supports Callr Actions only; ``CALLTRACKING10``,
``CLICKTOCALL10`` and ``REALTIME10`` apps must be migrated. The sandbox still accepts
them over JSON-RPC (so an old client keeps working) but keeps them here, outside the
REST repositories: REST never lists them, and a number linked to one shows
``scenario: null`` in REST while its legacy DID shows ``app: <hash>``.

A number has one app at a time. Linking a number to a legacy-only app unassigns its REST
scenario first (``v2.number.unassigned``); assigning it to a scenario through REST later
wins, and the stale legacy link is dropped the next time it is read. A link whose number
has left the account is dropped the same way.

This state is per account, kept in ``store.shared_resource`` and rebuilt whenever the
account is cleared (``Store.reset``, ``/_mock/reset``) or deleted. It is not part of
``/_mock/state`` snapshots or seed data; a state file keeps it (``shared_state`` below).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...base.errors import NotFound
from ...state.codec import CodecError, dump, load
from ...state.shared import shared_state
from .mapping import app_summary, legacy_date, legacy_did

SHARED_NAME = "legacy_json_rpc"


@dataclass
class MediaText:
    """The text prompt of ``media/library.set_content`` ("what is your media saying"),
    for the audio content it came with (``generation``); REST v2 audio files have none."""

    generation: int
    text: str


@dataclass
class LegacyApp:
    sid: str
    package: str
    name: str
    params: dict[str, Any]
    created: datetime
    updated: datetime
    seq: int = 0


class LegacyAccount:
    """Legacy-only apps and number links of one account."""

    def __init__(self, account: Any) -> None:
        self.account = account
        self.marker = account.scenarios  # a new repo object means the account was cleared
        self.apps: dict[str, LegacyApp] = {}
        self.links: dict[str, str] = {}  # e164 -> legacy app sid
        self.sms_settings: dict[str, str] = {}  # "dlr"/"mo" -> webhook sid (sms.set_settings)
        self.media_texts: dict[str, MediaText] = {}  # audio sid -> its legacy text prompt
        # what only the legacy API has (conference rooms, click-to-call calls, SENDR
        # campaigns and address books, imported files, legacy-only jobs), as the JSON
        # objects the methods answer with: kind -> key -> object (``voice``, ``sendr``)
        self.objects: dict[str, dict[str, dict[str, Any]]] = {}

    # -- apps -------------------------------------------------------------------------------
    def create(self, package: str, name: str, params: dict[str, Any]) -> LegacyApp:
        store = self.account.store
        now = store.clock.now()
        app = LegacyApp(store.ids.sid(), package, name, params, now, now, store.next_seq())
        self.apps[app.sid] = app
        return app

    def get(self, sid: str) -> LegacyApp:
        app = self.apps.get(sid)
        if app is None:
            raise NotFound(f"no app with hash {sid.upper()} on this account")
        return app

    def delete(self, sid: str) -> None:
        self.get(sid)
        del self.apps[sid]
        self.links = {e164: app for e164, app in self.links.items() if app != sid}

    # -- number links -------------------------------------------------------------------------
    def link_of(self, e164: str) -> str | None:
        """The legacy app of a number, if the link still holds (REST did not reassign it)."""
        sid = self.links.get(e164)
        if sid is None:
            return None
        number = self.account.numbers.find(e164)
        if number is None or number.scenario is not None or sid not in self.apps:
            del self.links[e164]
            return None
        return sid

    def numbers_of(self, sid: str) -> list[Any]:
        linked = [e164 for e164 in list(self.links) if self.link_of(e164) == sid]
        numbers = [self.account.numbers.get(e164) for e164 in linked]
        return sorted(numbers, key=lambda n: (n.created, n.seq))

    def link(self, e164: str, sid: str) -> None:
        self.get(sid)
        if self.account.numbers.get(e164).scenario is not None:
            self.account.numbers.unassign(e164)
        self.links[e164] = sid

    def unlink(self, e164: str) -> bool:
        return self.links.pop(e164, None) is not None

    # -- legacy-only objects -----------------------------------------------------------------
    def table(self, kind: str) -> dict[str, dict[str, Any]]:
        """The objects of one kind (``"rooms"``, ``"campaigns"``, ...), by key."""
        return self.objects.setdefault(kind, {})

    def find(self, kind: str, key: str, what: str) -> dict[str, Any]:
        found = self.table(kind).get(key)
        if found is None:
            raise NotFound(f"no {what} {key.upper()} on this account")
        return found

    # -- media texts ------------------------------------------------------------------------
    def set_media_text(self, audio: Any, text: str | None) -> None:
        """Keep ``text`` for the content ``audio`` now has (None or "" forgets it)."""
        if text:
            self.media_texts[audio.sid] = MediaText(audio.generation, text)
        else:
            self.media_texts.pop(audio.sid, None)

    def media_text(self, audio: Any) -> str | None:
        """The text prompt of ``audio``'s content; None once the content was replaced
        (``PUT /audio-files/{sid}/file``, a phone recording) or the file deleted."""
        entry = self.media_texts.get(audio.sid)
        return entry.text if entry is not None and entry.generation == audio.generation else None

    # -- rendering ------------------------------------------------------------------------------
    def summary(self, sid: str) -> dict[str, Any]:
        """The ``app`` object of a DID linked to the legacy-only app ``sid``."""
        app = self.get(sid)
        return app_summary(app.sid, app.name, app.package)

    def render(self, app: LegacyApp) -> dict[str, Any]:
        summary = self.summary(app.sid)
        return {
            "hash": summary["hash"],
            "name": app.name,
            "package": {**summary["package"], "has_did": True},
            "p": app.params,
            "did": [legacy_did(n.to_api(), summary) for n in self.numbers_of(app.sid)],
            "date_creation": legacy_date(app.created),
            "date_update": legacy_date(app.updated),
        }


def _dump(table: dict[str, LegacyAccount]) -> dict[str, Any]:
    return {
        sid: {
            "apps": dump(state.apps),
            "links": dict(state.links),  # copies: a writer may encode it after the lock
            "smsSettings": dict(state.sms_settings),
            "mediaTexts": dump(state.media_texts),
            "objects": json.loads(json.dumps(state.objects)),  # a deep copy
        }
        for sid, state in table.items()
        if state.account.store.find_account(sid) is state.account
        and state.marker is state.account.scenarios  # not left over from a cleared account
    }


def _load(store: Any, data: dict[str, Any], where: str) -> dict[str, LegacyAccount]:
    table: dict[str, LegacyAccount] = {}
    for sid, entry in load(dict[str, dict[str, Any]], data, where).items():
        account = store.find_account(sid)
        if account is None:
            raise CodecError(f"{where}.{sid}: no account {sid!r} in the document")
        state = table[sid] = LegacyAccount(account)
        state.apps = load(dict[str, LegacyApp], entry.get("apps"), f"{where}.{sid}.apps")
        state.links = load(dict[str, str], entry.get("links"), f"{where}.{sid}.links")
        state.sms_settings = load(
            dict[str, str], entry.get("smsSettings"), f"{where}.{sid}.smsSettings"
        )
        state.media_texts = load(
            dict[str, MediaText], entry.get("mediaTexts") or {}, f"{where}.{sid}.mediaTexts"
        )
        state.objects = load(
            dict[str, dict[str, dict[str, Any]]],
            entry.get("objects") or {},
            f"{where}.{sid}.objects",
        )
    return table


shared_state(SHARED_NAME, _dump, _load)


def legacy_state(account: Any) -> LegacyAccount:
    """The legacy-only state of ``account`` (created on first use)."""
    table: dict[str, LegacyAccount] = account.store.shared_resource(SHARED_NAME, dict)
    state = table.get(account.sid)
    if state is None or state.account is not account or state.marker is not account.scenarios:
        state = LegacyAccount(account)
        table[account.sid] = state
    return state
