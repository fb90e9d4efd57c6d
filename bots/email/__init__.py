"""E-mail as an outbound channel: receipts and one-time codes sent over SMTP from the outbox."""
