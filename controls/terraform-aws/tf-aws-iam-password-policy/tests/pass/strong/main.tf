resource "aws_iam_account_password_policy" "main" {
  minimum_password_length        = 16
  password_reuse_prevention      = 24
  allow_users_to_change_password = true
}
