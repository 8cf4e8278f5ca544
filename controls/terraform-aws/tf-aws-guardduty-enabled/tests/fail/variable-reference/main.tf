variable "guardduty_on" {
  type = bool
}

resource "aws_guardduty_detector" "main" {
  enable = var.guardduty_on
}
