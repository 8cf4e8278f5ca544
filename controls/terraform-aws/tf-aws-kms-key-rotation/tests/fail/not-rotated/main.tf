resource "aws_kms_key" "logs" {
  description             = "log bucket key"
  deletion_window_in_days = 7
}

resource "aws_kms_key" "backups" {
  description         = "backup vault key"
  enable_key_rotation = false
}

resource "aws_kms_key" "archive" {
  description             = "archive key"
  enable_key_rotation     = true
  rotation_period_in_days = 730
}
