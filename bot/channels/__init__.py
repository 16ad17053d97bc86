"""Channel adapters: each turns its channel's input into `Inbound` and renders `Reply`."""
