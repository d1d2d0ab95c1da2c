"""The `kiosk` command's groups, one module each: `register(commands)` adds the group's
sub-command(s) to the `kiosk` parser; each is a thin layer over the library code.

    run       the touchscreen app on its configuration
    demo      the whole kiosk on a laptop
    queue     the offline queue: list, replay, export, purge, resolve
    config    check the configuration, show the settings in force
    devices   run the configured devices and print what they report
    tag       read or program RFID tags on a pad
    doctor    is this kiosk ready to serve patrons
    hash-pin  make the technician PIN hash
"""
