"""The app manifest a user pastes must grant every scope the adapter's Web API calls need."""

from __future__ import annotations

from pathlib import Path

import yaml
from fakes.slack_fake import SlackFake

from adapters.slack.adapter import SLASH_COMMAND

MANIFEST = Path(__file__).resolve().parent.parent / "config" / "slack-manifest.yml"

# Web API method → the bot scope Slack requires for it (auth.test and apps.connections.open need none
# beyond the token itself; the app-level token carries connections:write).
SCOPE_FOR = {
    "auth.test": None,
    "apps.connections.open": None,
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "conversations.history": "channels:history",
    "users.info": "users:read",
    "usergroups.list": "usergroups:read",
    "usergroups.users.list": "usergroups:read",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
}


def manifest() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def test_manifest_declares_the_command_events_and_socket_mode() -> None:
    data = manifest()
    assert [c["command"] for c in data["features"]["slash_commands"]] == [SLASH_COMMAND]
    assert data["features"]["slash_commands"][0]["should_escape"] is False
    assert sorted(data["settings"]["event_subscriptions"]["bot_events"]) == ["app_mention", "message.im"]
    assert data["settings"]["socket_mode_enabled"] is True
    assert data["features"]["app_home"]["messages_tab_enabled"] is True  # users can DM the app


def test_manifest_grants_a_scope_for_every_method_the_adapter_uses() -> None:
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert {"commands", "app_mentions:read", "im:history"} <= scopes
    # Every Web API method the fake serves is one the adapter calls; each needs its scope granted.
    served = {name[3:].replace("_", ".") for name in dir(SlackFake) if name.startswith("_m_")}
    assert served <= set(SCOPE_FOR), served - set(SCOPE_FOR)
    missing = {method: scope for method, scope in SCOPE_FOR.items() if scope and scope not in scopes}
    assert missing == {}
