"""What leaves: the sender with priority lanes, its rate limits, the ledger of outcomes, and the
producers of messages nobody asked for at that moment (operators' messages, notices)."""
