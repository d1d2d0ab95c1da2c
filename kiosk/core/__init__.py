"""The circulation core: patron sessions, checkout, return, renew, offline rules. No UI in it."""
