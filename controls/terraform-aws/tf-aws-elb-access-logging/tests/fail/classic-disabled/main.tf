resource "aws_elb" "intranet" {
  name    = "intranet"
  subnets = var.private_subnet_ids
  internal = true

  access_logs {
    bucket        = aws_s3_bucket.lb_logs.id
    bucket_prefix = "intranet"
    interval      = 60
    enabled       = false
  }

  listener {
    instance_port     = 80
    instance_protocol = "http"
    lb_port           = 443
    lb_protocol       = "https"
    ssl_certificate_id = aws_acm_certificate.intranet.arn
  }
}
