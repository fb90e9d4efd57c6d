"""Online payments through an acquirer (YooKassa): its API client and its notifications.

Imports nothing of ours but `core`; energobot wires it to the store and the routes."""
