variable "rotate" {
  type = bool
}

resource "aws_kms_key" "app" {
  description         = "application data key"
  enable_key_rotation = var.rotate
}
