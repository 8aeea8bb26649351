"""Audio files: create (JSON name only, or multipart upload), search, get, rename, delete,
upload content, phone-id. Rules in ``callr_mock.state.audio_files``."""

from __future__ import annotations

from ...base.errors import InvalidInput
from .call import Call, Reply, handles


def _upload(call: Call) -> tuple[bytes, str | None]:
    part = call.files.get("file")
    if part is None:
        raise InvalidInput(
            "the multipart body needs a 'file' part holding the audio", code="missing-file"
        )
    return part.read(), part.filename


@handles("createAudioFile")
def create_audio_file(call: Call) -> Reply:
    repo = call.account.audio_files
    if call.content_type == "multipart/form-data":
        data, filename = _upload(call)
        return Reply(201, repo.upload(call.body.get("name"), data, filename).to_api())
    return Reply(201, repo.create(call.body["name"]).to_api())


@handles("searchAudioFiles")
def search_audio_files(call: Call) -> Reply:
    q = call.query
    return Reply(
        200,
        call.account.audio_files.search(
            name=q.get("name"),
            status=q.get("status"),
            sort=q["sort"],
            order=q["order"],
            offset=q["offset"],
            limit=q["limit"],
        ),
    )


@handles("getAudioFile")
def get_audio_file(call: Call) -> Reply:
    return Reply(200, call.account.audio_files.get(call.path["sid"]).to_api())


@handles("updateAudioFile")
def update_audio_file(call: Call) -> Reply:
    return Reply(200, call.account.audio_files.rename(call.path["sid"], call.body["name"]).to_api())


@handles("deleteAudioFile")
def delete_audio_file(call: Call) -> Reply:
    call.account.audio_files.delete(call.path["sid"])
    return Reply(204)


@handles("setAudioFileContent")
@handles("uploadAudioFileContent")
def set_audio_file_content(call: Call) -> Reply:
    call.account.audio_files.get(call.path["sid"])  # 404 before looking at the body
    data, _ = _upload(call)
    return Reply(200, call.account.audio_files.set_content(call.path["sid"], data).to_api())


@handles("getAudioFilePhoneId")
def get_audio_file_phone_id(call: Call) -> Reply:
    grant = call.account.audio_files.phone_id(call.path["sid"], call.query["country"])
    return Reply(200, grant.to_api())
