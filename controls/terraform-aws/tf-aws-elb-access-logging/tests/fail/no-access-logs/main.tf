resource "aws_elb" "legacy_web" {
  name               = "legacy-web"
  availability_zones = ["us-east-1a", "us-east-1b"]

  listener {
    instance_port      = 8080
    instance_protocol  = "http"
    lb_port            = 443
    lb_protocol        = "https"
    ssl_certificate_id = aws_acm_certificate.web.arn
  }
}

resource "aws_lb" "api" {
  name               = "api"
  internal           = false
  load_balancer_type = "application"
  security_groups    = [aws_security_group.api_lb.id]
  subnets            = var.public_subnet_ids
}
