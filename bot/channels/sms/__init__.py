"""The hotline over plain SMS: gateways (one module each) and SMS rendering."""
