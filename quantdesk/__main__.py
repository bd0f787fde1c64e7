import sys

from quantdesk.cli import main

sys.exit(main())
