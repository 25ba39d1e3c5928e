import sys

from benchmarks.cycle import main

sys.exit(main())
