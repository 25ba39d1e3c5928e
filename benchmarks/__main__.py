import sys

if sys.argv[1:2] == ["replies"]:
    from benchmarks.replies import main as replies

    sys.exit(replies(sys.argv[2:]))
if sys.argv[1:2] == ["check"]:
    from benchmarks.check import main as check

    sys.exit(check(sys.argv[2:]))
if sys.argv[1:2] == ["moderation"]:
    from benchmarks.moderation import main as moderation

    sys.exit(moderation(sys.argv[2:]))

from benchmarks.cycle import main

sys.exit(main())
