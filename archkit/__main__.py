from archkit.cli import main

main()
