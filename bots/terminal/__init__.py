"""The terminal channel (`energobot chat`): lines in, replies out, through inbox and outbox."""

from bots.terminal.adapter import CHANNEL, parse_line, render_json, render_text

__all__ = ["CHANNEL", "parse_line", "render_json", "render_text"]
