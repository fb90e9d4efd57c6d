"""One adapter per channel: verify and parse inbound events, render replies, send them."""
