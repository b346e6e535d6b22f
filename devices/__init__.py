"""Card-reader and panel drivers (codecs, transports, simulators) — see DESIGN.md, Devices."""
