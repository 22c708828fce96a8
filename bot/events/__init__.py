"""Events as the bot models them, independent of Discord and storage: dates, changes, calendar export."""
