resource "aws_eks_cluster" "prod" {
  name     = "prod"
  role_arn = aws_iam_role.eks.arn

  vpc_config {
    endpoint_private_access = true
    endpoint_public_access  = false
    subnet_ids              = aws_subnet.private[*].id
  }
}

resource "aws_eks_cluster" "dev" {
  name     = "dev"
  role_arn = aws_iam_role.eks.arn

  vpc_config {
    endpoint_private_access = true
    endpoint_public_access  = true
    public_access_cidrs     = ["198.51.100.10/32", "203.0.113.0/24"]
    subnet_ids              = aws_subnet.private[*].id
  }
}
