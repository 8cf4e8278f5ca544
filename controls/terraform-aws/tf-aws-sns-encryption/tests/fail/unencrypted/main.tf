resource "aws_sns_topic" "alerts" {
  name = "alerts"
}

resource "aws_sns_topic" "signups" {
  name              = "signups"
  kms_master_key_id = ""
}
