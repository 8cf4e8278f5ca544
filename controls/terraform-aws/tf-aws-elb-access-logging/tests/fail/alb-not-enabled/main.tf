# The bucket is configured, but ALBs and NLBs only log when enabled = true.
resource "aws_lb" "checkout" {
  name               = "checkout"
  load_balancer_type = "application"
  subnets            = var.public_subnet_ids

  access_logs {
    bucket = aws_s3_bucket.lb_logs.id
    prefix = "checkout"
  }
}

resource "aws_alb" "partner_api" {
  name    = "partner-api"
  subnets = var.public_subnet_ids

  access_logs {
    bucket  = aws_s3_bucket.lb_logs.id
    prefix  = "partner-api"
    enabled = false
  }
}
