"""Process boundaries made visible: which bot processes are alive and what each holds (docs/reminders.md)."""
