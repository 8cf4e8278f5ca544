resource "aws_iam_policy" "reports" {
  name = "reports-read"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:ListBucket"]
        Resource = ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
      },
      {
        Effect   = "Deny"
        Action   = "*"
        Resource = "*"
        Condition = {
          Bool = { "aws:SecureTransport" = "false" }
        }
      },
    ]
  })
}

data "aws_iam_policy_document" "describe" {
  statement {
    actions   = ["ec2:Describe*"]
    resources = ["*"]
  }
}
