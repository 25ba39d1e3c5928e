"""The QA team's files: sheets and the roster in force, as records and problems."""
