data "aws_iam_policy_document" "everything" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "readonly" {
  statement {
    actions   = ["ec2:Describe*"]
    resources = ["*"]
  }
}
