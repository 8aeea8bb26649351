"""Webhook subscriptions: create, search, get, update (enable/disable, endpoint, secret),
delete. Rules in ``callr_mock.state.webhooks``; delivery in ``callr_mock.services.delivery``."""

from __future__ import annotations

from .call import Call, Reply, handles


@handles("createWebhook")
def create_webhook(call: Call) -> Reply:
    body = call.body
    hook = call.account.webhooks.create(body["type"], body["endpoint"], secret=body.get("secret"))
    return Reply(201, hook.to_api())


@handles("searchWebhooks")
def search_webhooks(call: Call) -> Reply:
    q = call.query
    return Reply(
        200,
        call.account.webhooks.search(
            type=q.get("type"),
            enabled=q.get("enabled"),
            offset=q["offset"],
            limit=q["limit"],
        ),
    )


@handles("getWebhook")
def get_webhook(call: Call) -> Reply:
    return Reply(200, call.account.webhooks.get(call.path["sid"]).to_api())


@handles("updateWebhook")
def update_webhook(call: Call) -> Reply:
    return Reply(200, call.account.webhooks.update(call.path["sid"], call.body).to_api())


@handles("deleteWebhook")
def delete_webhook(call: Call) -> Reply:
    call.account.webhooks.delete(call.path["sid"])
    return Reply(204)
