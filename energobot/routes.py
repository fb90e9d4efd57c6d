"""Public addresses the platforms are told about (webhook registration) and the app serves."""

TELEGRAM_WEBHOOK = "/webhooks/telegram"
