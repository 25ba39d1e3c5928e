"""The command line and what only it uses: demo, doctor, checks, views."""
