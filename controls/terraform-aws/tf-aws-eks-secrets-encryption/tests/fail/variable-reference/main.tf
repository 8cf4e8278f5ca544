variable "encrypted_resources" {
  type = list(string)
}

resource "aws_eks_cluster" "apps" {
  name     = "apps"
  role_arn = aws_iam_role.eks.arn

  vpc_config {
    subnet_ids             = aws_subnet.private[*].id
    endpoint_public_access = false
  }

  encryption_config {
    resources = var.encrypted_resources
    provider {
      key_arn = aws_kms_key.eks.arn
    }
  }
}
