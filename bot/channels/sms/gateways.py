"""Every SMS gateway module, imported here so that each registers itself. A new gateway is a
module beside these, its test file, and one name on this line."""

from bot.channels.sms import generic, kannel, twilio  # noqa: F401
