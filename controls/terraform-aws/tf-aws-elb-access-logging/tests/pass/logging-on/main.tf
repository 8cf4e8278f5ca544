resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  subnets            = var.public_subnet_ids

  access_logs {
    bucket  = aws_s3_bucket.lb_logs.id
    prefix  = "web"
    enabled = true
  }
}

resource "aws_lb" "mqtt" {
  name               = "mqtt"
  load_balancer_type = "network"
  subnets            = var.public_subnet_ids

  access_logs {
    bucket  = aws_s3_bucket.lb_logs.id
    prefix  = "mqtt"
    enabled = true
  }
}

# Classic ELB: access logs are on as soon as the block is present.
resource "aws_elb" "legacy" {
  name    = "legacy"
  subnets = var.public_subnet_ids

  access_logs {
    bucket        = aws_s3_bucket.lb_logs.id
    bucket_prefix = "legacy"
    interval      = 5
  }

  listener {
    instance_port      = 8080
    instance_protocol  = "http"
    lb_port            = 443
    lb_protocol        = "https"
    ssl_certificate_id = aws_acm_certificate.legacy.arn
  }
}
