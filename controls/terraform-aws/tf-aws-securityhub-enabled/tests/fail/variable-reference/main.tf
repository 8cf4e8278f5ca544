variable "securityhub_defaults" {
  type = bool
}

resource "aws_securityhub_account" "main" {
  enable_default_standards = var.securityhub_defaults
}
