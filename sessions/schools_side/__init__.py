"""The school's own page for its visit: an unguessable address emailed to the school is its only key."""
