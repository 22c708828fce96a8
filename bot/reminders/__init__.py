"""Reminders: lead times, planning, the delivery ledger, the paced sender and the scheduler glue.

The database is the truth. Scheduler jobs are derived from it (one per event × lead × audience, plus
snoozes); a job only says "this is due"; the dispatcher finds who is owed the reminder and the sender
delivers each message through the ledger, exactly once.
"""
