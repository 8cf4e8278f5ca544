# Public endpoint by default, open to everyone.
resource "aws_eks_cluster" "staging" {
  name     = "staging"
  role_arn = aws_iam_role.eks.arn

  vpc_config {
    endpoint_private_access = true
    subnet_ids              = aws_subnet.private[*].id
  }
}

resource "aws_eks_cluster" "prod" {
  name     = "prod"
  role_arn = aws_iam_role.eks.arn

  vpc_config {
    endpoint_public_access = true
    public_access_cidrs    = ["203.0.113.0/24", "0.0.0.0/0"]
    subnet_ids             = aws_subnet.private[*].id
  }
}

resource "aws_eks_cluster" "tools" {
  name     = "tools"
  role_arn = aws_iam_role.eks.arn

  vpc_config {
    endpoint_public_access = "true"
    subnet_ids             = aws_subnet.private[*].id
  }
}
