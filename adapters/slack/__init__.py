"""Slack: slash command, mentions and DMs in; Block Kit out; Socket Mode or HTTP transport."""

from adapters.slack.adapter import SlackAdapter, SlackConfigError

__all__ = ["SlackAdapter", "SlackConfigError"]
