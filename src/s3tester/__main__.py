from s3tester.cli import main

main()
