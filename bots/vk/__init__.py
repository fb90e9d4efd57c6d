"""The VK channel: community messages over the Callback API (POST /webhooks/vk), sent with
messages.send. The plug-in is bots/vk/plugin.py; the package stays light to import (the
registry imports every plug-in when a command only reads settings)."""
