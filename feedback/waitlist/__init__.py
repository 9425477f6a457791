"""The waiting list and its letters: import, encryption, schedule, letters and the ASD team's pages."""
