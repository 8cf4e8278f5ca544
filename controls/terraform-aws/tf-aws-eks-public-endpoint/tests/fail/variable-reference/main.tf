variable "public_api" {
  type = bool
}

variable "api_allowed_cidrs" {
  type = list(string)
}

resource "aws_eks_cluster" "apps" {
  name     = "apps"
  role_arn = aws_iam_role.eks.arn

  vpc_config {
    endpoint_public_access = var.public_api
    public_access_cidrs    = ["10.0.0.0/8"]
    subnet_ids             = aws_subnet.private[*].id
  }
}

resource "aws_eks_cluster" "data" {
  name     = "data"
  role_arn = aws_iam_role.eks.arn

  vpc_config {
    public_access_cidrs = var.api_allowed_cidrs
    subnet_ids          = aws_subnet.private[*].id
  }
}
