import os

AWS_ACCESS_KEY_ID = os.environ["AWS_ACCESS_KEY_ID"]
REGION = "eu-west-1"
