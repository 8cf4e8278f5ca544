resource "aws_eks_cluster" "staging" {
  name     = "staging"
  role_arn = aws_iam_role.eks.arn

  vpc_config {
    subnet_ids = aws_subnet.private[*].id
  }
}

resource "aws_eks_cluster" "prod" {
  name                      = "prod"
  role_arn                  = aws_iam_role.eks.arn
  enabled_cluster_log_types = ["api", "authenticator"]

  vpc_config {
    subnet_ids = aws_subnet.private[*].id
  }
}
