resource "aws_ebs_encryption_by_default" "eu_west_1" {
  enabled = true
}

# enabled defaults to true.
resource "aws_ebs_encryption_by_default" "us_east_1" {
  provider = aws.us_east_1
}

resource "aws_ebs_default_kms_key" "eu_west_1" {
  key_arn = aws_kms_key.ebs.arn
}
