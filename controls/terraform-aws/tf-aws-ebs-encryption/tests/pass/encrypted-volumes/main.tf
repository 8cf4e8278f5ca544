resource "aws_ebs_volume" "db_data" {
  availability_zone = "eu-west-1a"
  size              = 100
  type              = "gp3"
  encrypted         = true
  kms_key_id        = aws_kms_key.ebs.arn
}

resource "aws_ebs_volume" "logs" {
  availability_zone = "eu-west-1a"
  size              = 20
  encrypted         = true
}
