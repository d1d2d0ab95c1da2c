"""SIP2 (3M Standard Interchange Protocol 2.00): codec, framer, client and ACS emulator.

The codec modules are pure (bytes in, typed messages out); nothing here imports `kiosk`.
"""
