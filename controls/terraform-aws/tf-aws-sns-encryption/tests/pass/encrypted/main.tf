resource "aws_sns_topic" "orders" {
  name              = "orders"
  kms_master_key_id = aws_kms_key.messaging.arn
}

resource "aws_sns_topic" "alerts" {
  name              = "alerts"
  kms_master_key_id = "alias/aws/sns"
}

variable "topic_key" {
  type = string
}

# A key from a variable is a key.
resource "aws_sns_topic" "audit" {
  name              = "audit"
  kms_master_key_id = var.topic_key
}
