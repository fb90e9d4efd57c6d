"""Public addresses the platforms are told about (webhook registration) and the app serves."""

TELEGRAM_WEBHOOK = "/webhooks/telegram"
VIBER_WEBHOOK = "/webhooks/viber"
WHATSAPP_WEBHOOK = "/webhooks/whatsapp"
MESSENGER_WEBHOOK = "/webhooks/messenger"
