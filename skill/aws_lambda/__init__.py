"""The AWS Lambda front-end.

    handler.py  the entry Lambda calls (skill.aws_lambda.handler.lambda_handler)
    package.py  `make lambda`: the folder to deploy, holding only what handler.py imports
"""
