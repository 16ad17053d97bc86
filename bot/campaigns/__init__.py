"""Information campaigns: topics people subscribe to, reminders, campaigns and their delivery."""
