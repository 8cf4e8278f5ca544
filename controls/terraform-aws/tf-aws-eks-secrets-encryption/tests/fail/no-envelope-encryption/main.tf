resource "aws_eks_cluster" "staging" {
  name     = "staging"
  role_arn = aws_iam_role.eks.arn

  vpc_config {
    subnet_ids             = aws_subnet.private[*].id
    endpoint_public_access = false
  }
}

# An encryption_config that does not name secrets does not count.
resource "aws_eks_cluster" "tools" {
  name     = "tools"
  role_arn = aws_iam_role.eks.arn

  vpc_config {
    subnet_ids             = aws_subnet.private[*].id
    endpoint_public_access = false
  }

  encryption_config {
    resources = []
    provider {
      key_arn = aws_kms_key.eks.arn
    }
  }
}
