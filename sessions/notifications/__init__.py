"""The programme's emails: emails.py builds and sends them, receivers.py sends them when a visit or
booking changes, scheduled.py picks the daily ones, tasks.py runs the sending in the task worker."""
