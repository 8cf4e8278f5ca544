# The workload uses a role instead of an access key.
resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
    }]
  })
}

resource "aws_iam_user" "auditor" {
  name = "external-auditor"
}

resource "aws_iam_access_key" "auditor_retired" {
  user   = aws_iam_user.auditor.name
  status = "Inactive"
}
