"""A fake YooKassa API v3 (payments) speaking its wire format and enforcing its rules."""
