"""Control routes for recordings and media.

- ``POST /_mock/accounts/<sid>/recordings`` creates a recording as if a call of that
  account had been recorded. Body (all optional): ``duration`` (s, default 10), ``number``
  (E.164, the called number), ``callerNumber``, ``callid``, ``status`` (``processing``,
  the default, becomes ``ready`` 1 s later on the sandbox clock; or ``ready``/``error``).
- ``GET /_mock/media/<sid>`` serves the audio of a recording (a silent WAV of its
  duration) or the uploaded content of an audio file. The recording ``url`` points here,
  on the base URL of the request that created it.
- ``POST /_mock/accounts/<sid>/audio-files/<audio sid>/record`` does what calling the
  phone-id number and typing the code does: body ``{"code": "123456", "duration": 5}``.
"""

from __future__ import annotations

from werkzeug.wrappers import Response

from ....base.errors import NotFound
from ....state.recordings import media_chunks
from ...frame.frame import Answer
from .common import ControlCall, reply, route


@route("createRecording")
def create_recording(call: ControlCall) -> Answer | Response:
    sid = str(call.path["sid"])
    data = call.body
    store = call.rt.store
    with store.lock:
        store.scheduler.run_due(store.clock.now())
        recording = store.account(sid).recordings.create(
            duration=data.get("duration", 10),
            number=data.get("number"),
            caller_number=data.get("callerNumber", ""),
            callid=data.get("callid"),
            status=data.get("status", "processing"),
            base_url=call.base_url,
        )
        return reply(recording.to_api(), 201)


@route("recordAudioFileByPhone")
def record_audio_file(call: ControlCall) -> Answer | Response:
    sid = str(call.path["sid"])
    audio_sid = str(call.path["audio_sid"])
    data = call.body
    duration = data.get("duration", 5)
    store = call.rt.store
    with store.lock:
        store.scheduler.run_due(store.clock.now())
        audio = store.account(sid).audio_files.record_by_phone(
            audio_sid, str(data.get("code", "")), duration
        )
        return reply(audio.to_api())


@route("media")
def media(call: ControlCall) -> Answer | Response:
    sid = str(call.path["sid"])
    store = call.rt.store
    with store.lock:
        store.scheduler.run_due(store.clock.now())
        for account in store.accounts():
            recording = account.recordings.find_media(sid)
            if recording is not None:
                if recording.status != "ready":
                    return reply(
                        {
                            "code": "media-not-ready",
                            "message": f"recording {sid} is {recording.status}",
                        },
                        409,
                    )
                return Response(
                    media_chunks(recording.duration),
                    mimetype=recording.mime_type,
                    headers={"Content-Length": str(recording.size)},
                )
            audio = account.audio_files.items.get(sid)
            if audio is not None and audio.content is not None:
                return Response(
                    audio.content, mimetype=audio.mime_type or "application/octet-stream"
                )
    raise NotFound(f"no recording or audio file content with sid {sid!r}")
