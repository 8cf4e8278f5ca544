resource "aws_sqs_queue" "orders" {
  name                      = "orders"
  message_retention_seconds = 1209600
}

resource "aws_sqs_queue" "emails" {
  name                    = "emails"
  sqs_managed_sse_enabled = false
}
