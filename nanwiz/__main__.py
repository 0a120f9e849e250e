from nanwiz.cli import main

raise SystemExit(main())
