from bindery.cli import main

main()
