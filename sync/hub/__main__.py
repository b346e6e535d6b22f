"""`python -m sync.hub …` is `edge-hub …`."""

from sync.hub._cli import main

raise SystemExit(main())
