"""The hotline in a web page: /chat, which an NGO can link to, speaking to the engine as the
channel "web". A person is a random token in a cookie; what the hotline sends them is kept in
web_message for a day, for the page to fetch and to wait for."""

CHANNEL = "web"
