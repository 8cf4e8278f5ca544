variable "eks_log_types" {
  type = list(string)
}

resource "aws_eks_cluster" "apps" {
  name                      = "apps"
  role_arn                  = aws_iam_role.eks.arn
  enabled_cluster_log_types = var.eks_log_types

  vpc_config {
    subnet_ids = aws_subnet.private[*].id
  }
}
