from evascore.cli import main

raise SystemExit(main())
