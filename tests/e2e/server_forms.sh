# What the web UI's forms need from ctip serve (issue 14 item 5): accounts managed by
# administrators, one's own password, referrals with a note and an unread count, and an
# assistance provider kept as text (never a new organisation). tests/e2e/server_forms.py.
. tests/e2e/lib.sh
python3 tests/e2e/server_forms.py
