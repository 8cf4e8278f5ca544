variable "encrypt_queue" {
  type = bool
}

resource "aws_sqs_queue" "events" {
  name                    = "events"
  sqs_managed_sse_enabled = var.encrypt_queue
}
