resource "aws_eks_cluster" "prod" {
  name                      = "prod"
  role_arn                  = aws_iam_role.eks.arn
  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  vpc_config {
    subnet_ids = aws_subnet.private[*].id
  }
}

resource "aws_eks_cluster" "dev" {
  name                      = "dev"
  role_arn                  = aws_iam_role.eks.arn
  enabled_cluster_log_types = ["audit", "authenticator", "api"]

  vpc_config {
    subnet_ids = aws_subnet.private[*].id
  }
}
