variable "key_status" {
  type = string
}

resource "aws_iam_access_key" "ci" {
  user   = "ci-runner"
  status = var.key_status
}
