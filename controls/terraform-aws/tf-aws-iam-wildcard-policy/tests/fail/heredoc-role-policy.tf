resource "aws_iam_role_policy" "ci" {
  name = "ci-deploy"
  role = aws_iam_role.ci.id

  policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": ["*"],
    "Resource": ["*"]
  }
}
POLICY
}
