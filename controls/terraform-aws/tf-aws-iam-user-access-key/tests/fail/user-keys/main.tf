resource "aws_iam_user" "deploy" {
  name = "deploy-bot"
}

resource "aws_iam_access_key" "deploy" {
  user = aws_iam_user.deploy.name
}

resource "aws_iam_access_key" "backup_script" {
  user    = "backup-script"
  pgp_key = "keybase:ops"
  status  = "Active"
}

# Created inactive: not reported.
resource "aws_iam_access_key" "break_glass" {
  user   = "break-glass"
  status = "Inactive"
}
