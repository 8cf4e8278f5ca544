resource "aws_sqs_queue" "orders" {
  name                    = "orders"
  sqs_managed_sse_enabled = true
}

resource "aws_sqs_queue" "payments" {
  name                              = "payments.fifo"
  fifo_queue                        = true
  kms_master_key_id                 = aws_kms_key.queues.arn
  kms_data_key_reuse_period_seconds = 300
}

# A key from a variable is a key.
variable "queue_key" {
  type = string
}

resource "aws_sqs_queue" "audit" {
  name              = "audit"
  kms_master_key_id = var.queue_key
}
