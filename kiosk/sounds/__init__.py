"""The kiosk's bundled sounds: success.wav and error.wav, made by `python -m kiosk.sounds.make`."""
